import type { WsServerMessage } from "@bifrost/contracts";
import { useEffect, useRef, useState } from "react";

/** The socket's state: "open" once the server has answered, "connecting" while (re)connecting. */
export type RealtimeStatus = "connecting" | "open" | "closed";

/**
 * Subscribes to WebSocket channels (API.md "Real time") while the component is mounted; the
 * session cookie authenticates. Reconnects with backoff; `onMessage` always sees the latest props.
 */
export function useRealtime(
  channels: string[],
  onMessage: (message: WsServerMessage) => void,
): RealtimeStatus {
  const [status, setStatus] = useState<RealtimeStatus>("connecting");
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const key = channels.join("\n");
  useEffect(() => {
    if (!key) {
      setStatus("closed");
      return;
    }
    let socket: WebSocket | undefined;
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = (): void => {
      const url = new URL("/ws/connect", window.location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      for (const channel of key.split("\n")) url.searchParams.append("channels", channel);
      setStatus("connecting");
      socket = new WebSocket(url);
      socket.onopen = () => {
        attempt = 0;
        setStatus("open");
      };
      socket.onmessage = (event: MessageEvent<string>) => {
        try {
          handler.current(JSON.parse(event.data) as WsServerMessage);
        } catch {
          // Not a message of ours.
        }
      };
      socket.onclose = () => {
        if (closed) return;
        setStatus("connecting");
        attempt += 1;
        timer = setTimeout(connect, Math.min(10_000, 500 * 2 ** attempt));
      };
    };
    connect();
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    };
  }, [key]);
  return status;
}
