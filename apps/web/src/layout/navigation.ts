import type { ComponentType, LazyExoticComponent } from 'react';
import { lazy } from 'react';
import type { ParseKeys } from 'i18next';

// The navigation registry: one line per page. The left menu and the routes are both built from it, and a page is
// shown only to a user who holds its permission (GET /api/v1/me → permissions).

export type AreaKey = 'agent' | 'supervisor' | 'admin';

export interface Page {
  path: string;
  labelKey: ParseKeys;
  permission: string;
  component: LazyExoticComponent<ComponentType>;
}

export interface Area {
  key: AreaKey;
  labelKey: ParseKeys;
  pages: Page[];
}

export const areas: Area[] = [
  {
    key: 'agent',
    labelKey: 'nav.agent',
    pages: [
      {
        path: '/agent',
        labelKey: 'nav.agentDesktop',
        permission: 'agent.desktop',
        component: lazy(() => import('../pages/agent/AgentDesktopPage.tsx')),
      },
      { path: '/crm/contacts', labelKey: 'nav.contacts', permission: 'crm.read', component: lazy(() => import('../pages/crm/ContactsPage.tsx')) },
      { path: '/tickets/my-tasks', labelKey: 'nav.myTasks', permission: 'tickets.work', component: lazy(() => import('../pages/tickets/MyTasksPage.tsx')) },
      { path: '/tickets', labelKey: 'nav.tickets', permission: 'tickets.work', component: lazy(() => import('../pages/tickets/TicketsPage.tsx')) },
      { path: '/agent/chats', labelKey: 'nav.chats', permission: 'agent.desktop', component: lazy(() => import('../pages/channels/AgentChatsPage.tsx')) },
      { path: '/kb/search', labelKey: 'nav.kbSearch', permission: 'agent.desktop', component: lazy(() => import('../pages/kb/KnowledgeSearchPage.tsx')) },
      { path: '/kb/updates', labelKey: 'nav.kbUpdates', permission: 'agent.desktop', component: lazy(() => import('../pages/kb/UpdatesPage.tsx')) },
    ],
  },
  {
    key: 'supervisor',
    labelKey: 'nav.supervisor',
    pages: [
      {
        path: '/supervisor',
        labelKey: 'nav.supervisorConsole',
        permission: 'supervisor.console',
        component: lazy(() => import('../pages/supervisor/SupervisorConsolePage.tsx')),
      },
      { path: '/kb/read-report', labelKey: 'nav.kbReport', permission: 'supervisor.console', component: lazy(() => import('../pages/kb/UpdatesReportPage.tsx')) },
    ],
  },
  {
    key: 'admin',
    labelKey: 'nav.admin',
    pages: [
      {
        path: '/admin/users',
        labelKey: 'nav.users',
        permission: 'users.read',
        component: lazy(() => import('../pages/admin/users/UsersPage.tsx')),
      },
      {
        path: '/admin/divisions',
        labelKey: 'nav.divisions',
        permission: 'divisions.read',
        component: lazy(() => import('../pages/admin/divisions/DivisionsPage.tsx')),
      },
      {
        path: '/admin/roles',
        labelKey: 'nav.roles',
        permission: 'roles.read',
        component: lazy(() => import('../pages/admin/roles/RolesPage.tsx')),
      },
      {
        path: '/admin/api-keys',
        labelKey: 'nav.apiKeys',
        permission: 'apikeys.manage',
        component: lazy(() => import('../pages/admin/api-keys/ApiKeysPage.tsx')),
      },
      {
        path: '/admin/webhooks',
        labelKey: 'nav.webhooks',
        permission: 'webhooks.manage',
        component: lazy(() => import('../pages/admin/webhooks/WebhooksPage.tsx')),
      },
      { path: '/admin/telephony', labelKey: 'nav.telephony', permission: 'voice.manage', component: lazy(() => import('../pages/voice/TelephonyPage.tsx')) },
      { path: '/admin/routing', labelKey: 'nav.routing', permission: 'routing.manage', component: lazy(() => import('../pages/routing/RoutingPage.tsx')) },
      { path: '/admin/tickets', labelKey: 'nav.ticketSettings', permission: 'tickets.manage', component: lazy(() => import('../pages/tickets/TicketSettingsPage.tsx')) },
      { path: '/admin/flows', labelKey: 'nav.flows', permission: 'flows.manage', component: lazy(() => import('../pages/flows/FlowsPage.tsx')) },
      { path: '/admin/channels', labelKey: 'nav.webchat', permission: 'channels.manage', component: lazy(() => import('../pages/channels/ChatWidgetsPage.tsx')) },
      { path: '/admin/mail', labelKey: 'nav.mail', permission: 'channels.manage', component: lazy(() => import('../pages/channels/MailSettingsPage.tsx')) },
      { path: '/kb/editor', labelKey: 'nav.kbEditor', permission: 'kb.edit', component: lazy(() => import('../pages/kb/KnowledgeEditorPage.tsx')) },
      {
        path: '/admin/audit',
        labelKey: 'nav.audit',
        permission: 'audit.read',
        component: lazy(() => import('../pages/admin/audit/AuditPage.tsx')),
      },
    ],
  },
];

/**
 * Where a user lands after sign-in: the first area whose "home permission" they hold, in this order (an admin
 * administers, a supervisor supervises, an agent takes work); otherwise the first page they may see.
 */
const landingOrder: { area: AreaKey; permission: string }[] = [
  { area: 'admin', permission: 'users.manage' },
  { area: 'supervisor', permission: 'supervisor.console' },
  { area: 'agent', permission: 'agent.desktop' },
];

export function landingPage(visible: Area[], can: (permission: string) => boolean): Page | undefined {
  for (const { area, permission } of landingOrder) {
    const page = visible.find((candidate) => candidate.key === area)?.pages[0];
    if (page !== undefined && can(permission)) return page;
  }
  return visible[0]?.pages[0];
}

/** The areas and pages this user may see, in menu order; areas without a visible page are dropped. */
export function visibleAreas(can: (permission: string) => boolean): Area[] {
  return areas
    .map((area) => ({ ...area, pages: area.pages.filter((page) => can(page.permission)) }))
    .filter((area) => area.pages.length > 0);
}
