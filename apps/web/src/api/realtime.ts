import type { WsServerMessage } from "@bifrost/contracts";
import { useEffect, useRef } from "react";

/**
 * Subscribes to WebSocket channels (API.md "Real time") while the component is mounted; the
 * session cookie authenticates. Reconnects with backoff; `onMessage` always sees the latest props.
 */
export function useRealtime(channels: string[], onMessage: (message: WsServerMessage) => void): void {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const key = channels.join("\n");
  useEffect(() => {
    if (!key) return;
    let socket: WebSocket | undefined;
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = (): void => {
      const url = new URL("/ws/connect", window.location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      for (const channel of key.split("\n")) url.searchParams.append("channels", channel);
      socket = new WebSocket(url);
      socket.onopen = () => {
        attempt = 0;
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
}
