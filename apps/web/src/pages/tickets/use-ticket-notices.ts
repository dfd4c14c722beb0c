// Ticket notices in real time: the server pushes `ticket.assigned`, `ticket_task.assigned`, `ticket_task.completed`
// and SLA warnings/breaches to the people concerned over /api/v1/realtime; the tickets pages show them and reload.
import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import type { ParseKeys } from 'i18next';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

const notices = new Set(['ticket.assigned', 'ticket_task.assigned', 'ticket_task.completed', 'ticket.sla_warning', 'ticket.sla_breached']);

export function useTicketNotices(): void {
  const { t } = useTranslation();
  const { notification } = App.useApp();
  const queryClient = useQueryClient();
  useEffect(() => {
    let socket: WebSocket | null = null;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/realtime`);
      socket.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as { type: string; name?: string; data?: Record<string, unknown> };
        if (data.type !== 'event' || !data.name || !notices.has(data.name)) return;
        notification.info({ message: t(`tickets.notices.${data.name.replace('.', '_')}` as ParseKeys, data.data ?? {}), placement: 'bottomRight' });
        void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      };
      // A dropped connection comes back after a pause (server restart, network change).
      socket.onclose = () => {
        if (!stopped) retry = setTimeout(connect, 3000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket?.close();
    };
  }, [t, notification, queryClient]);
}
