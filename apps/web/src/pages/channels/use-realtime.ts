// The agent's realtime WebSocket (/api/v1/realtime) for the chat panel: reconnects, answers requests by id,
// hands pushed events to a listener, and re-subscribes to its topics after a reconnect.
import { useEffect, useMemo, useRef, useState } from 'react';

export interface RealtimeEvent {
  name: string;
  topic?: string;
  data: unknown;
}

export interface Realtime {
  connected: boolean;
  request(method: string, params?: unknown): Promise<unknown>;
  subscribe(topic: string): void;
}

export function useRealtime(onEvent: (event: RealtimeEvent) => void): Realtime {
  const [connected, setConnected] = useState(false);
  const socketRef = useRef<WebSocket | null>(null);
  const pending = useRef(new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>());
  const topics = useRef(new Set<string>());
  const listener = useRef(onEvent);
  listener.current = onEvent;
  const nextId = useRef(1);

  useEffect(() => {
    let stopped = false;
    let retry: number | undefined;
    const open = () => {
      const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/realtime`);
      socketRef.current = socket;
      socket.onopen = () => {
        setConnected(true);
        for (const topic of topics.current) socket.send(JSON.stringify({ type: 'subscribe', id: `s${nextId.current++}`, topic }));
      };
      socket.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as { type: string; id?: string; ok?: boolean; result?: unknown; error?: { message: string }; name?: string; topic?: string; data?: unknown };
        if (data.type === 'event') listener.current({ name: data.name!, data: data.data, ...(data.topic ? { topic: data.topic } : {}) });
        else if (data.type === 'reply' && data.id) {
          const waiter = pending.current.get(data.id);
          pending.current.delete(data.id);
          if (data.ok) waiter?.resolve(data.result);
          else waiter?.reject(new Error(data.error?.message ?? 'request failed'));
        }
      };
      socket.onclose = () => {
        setConnected(false);
        if (!stopped) retry = window.setTimeout(open, 1000);
      };
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      socketRef.current?.close();
    };
  }, []);

  return useMemo<Realtime>(() => ({
    connected,
    request(method, params) {
      const id = `r${nextId.current++}`;
      return new Promise((resolve, reject) => {
        const socket = socketRef.current;
        if (!socket || socket.readyState !== WebSocket.OPEN) return reject(new Error('not connected'));
        pending.current.set(id, { resolve, reject });
        socket.send(JSON.stringify({ type: 'request', id, method, params }));
      });
    },
    subscribe(topic) {
      if (topics.current.has(topic)) return;
      topics.current.add(topic);
      const socket = socketRef.current;
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'subscribe', id: `s${nextId.current++}`, topic }));
    },
  }), [connected]);
}
