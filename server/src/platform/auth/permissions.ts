// Permissions and the built-in roles every tenant starts with. Custom roles are sets of these permissions.
export const permissions = {
  'users.read': 'See users',
  'users.manage': 'Create, change and disable users',
  'divisions.read': 'See divisions',
  'divisions.manage': 'Create, change and delete divisions; see every division',
  'roles.read': 'See roles and permissions',
  'roles.manage': 'Create, change and delete custom roles',
  'apikeys.manage': 'Create and revoke API keys',
  'webhooks.manage': 'Configure webhooks and read their delivery log',
  'audit.read': 'Read the audit log',
  'agent.desktop': 'Use the agent desktop',
  'supervisor.console': 'Use the supervisor console',
  'routing.manage': 'Configure queues, skills, memberships, wrap-up codes and away reasons',
  'routing.tasks': 'Enqueue, cancel and complete routing tasks (integrations)',
  'reports.read': 'Read reports of granted divisions',
  'tickets.work': 'Work on tickets',
  'tickets.all': 'See and work every ticket of granted divisions (without it: only tickets and sub-tasks assigned to you or your departments)',
  'tickets.manage': 'Configure ticket departments and teams, business-hour calendars, SLA policies, ownership models and macros',
  'kb.edit': 'Edit the knowledge base',
  'kb.approve': 'Approve and publish knowledge-base articles',
  'qa.evaluate': 'Evaluate interactions (quality assurance)',
  'voice.manage': 'Provision SIP trunks, numbers, extensions and recording policy; see extension passwords',
  'interactions.read': 'See interactions (calls, chats) and their CDR fields in granted divisions',
  'recordings.listen': 'List and play call recordings of granted divisions (audited)',
  'crm.read': 'See contacts, companies, orders and timelines of granted divisions (phones and emails masked)',
  'crm.manage': 'Create, change, merge, import and export contacts, companies and orders',
  'crm.reveal': 'See unmasked phone numbers and emails of contacts (each reveal is audited)',
  'channels.manage': 'Configure chat widgets: allowed origins, appearance, business hours, identity secrets',
  'flows.manage': 'Build, publish, roll back and simulate IVR and chat flows; manage the secrets their HTTP nodes use',
} as const;

export type Permission = keyof typeof permissions;
export const allPermissions = Object.keys(permissions) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(permissions, value);
}

export const builtInRoles = {
  admin: { name: 'Administrator', permissions: allPermissions },
  supervisor: {
    name: 'Supervisor',
    permissions: ['users.read', 'divisions.read', 'roles.read', 'supervisor.console', 'agent.desktop', 'reports.read', 'tickets.work', 'tickets.all', 'tickets.manage', 'audit.read', 'interactions.read', 'recordings.listen', 'crm.read', 'crm.manage', 'crm.reveal'],
  },
  agent: { name: 'Agent', permissions: ['agent.desktop', 'tickets.work', 'tickets.all', 'crm.read', 'crm.manage'] },
  qa: { name: 'Quality analyst', permissions: ['qa.evaluate', 'reports.read', 'interactions.read', 'recordings.listen'] },
  knowledge_editor: { name: 'Knowledge editor', permissions: ['kb.edit'] },
  staff: { name: 'Staff', permissions: ['tickets.work'] },
  client_viewer: { name: 'Client viewer', permissions: ['reports.read'] },
} as const satisfies Record<string, { name: string; permissions: readonly Permission[] }>;

export type BuiltInRoleKey = keyof typeof builtInRoles;
