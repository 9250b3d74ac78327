import { useEffect, useState } from "react";

/**
 * `value` once it has stayed the same for `ms` (typing does not start a request per key). Compared
 * by its JSON, so a new object with the same content is the same value and causes no render.
 */
export function useSettled<T>(value: T, ms: number): T {
  const key = JSON.stringify(value);
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(JSON.parse(key) as T), ms);
    return () => clearTimeout(timer);
  }, [key, ms]);
  return settled;
}
