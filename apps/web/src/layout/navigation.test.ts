import { describe, expect, it } from 'vitest';
import { landingPage, visibleAreas } from './navigation.ts';

// Built-in roles of docs/api.md, as permission sets.
const roles: Record<string, string[]> = {
  admin: [
    'users.read', 'users.manage', 'divisions.read', 'divisions.manage', 'roles.read', 'roles.manage',
    'apikeys.manage', 'webhooks.manage', 'audit.read', 'agent.desktop', 'supervisor.console', 'reports.read',
    'tickets.work', 'kb.edit', 'qa.evaluate',
  ],
  supervisor: [
    'users.read', 'divisions.read', 'roles.read', 'supervisor.console', 'agent.desktop', 'reports.read', 'tickets.work',
    'audit.read',
  ],
  agent: ['agent.desktop', 'tickets.work'],
  staff: ['tickets.work'],
};
const holder = (role: string) => (permission: string) => roles[role]?.includes(permission) ?? false;
const paths = (role: string) => visibleAreas(holder(role)).flatMap((area) => area.pages.map((page) => page.path));

describe('navigation by permission', () => {
  it('an administrator sees every area and page', () => {
    expect(paths('admin')).toEqual([
      '/agent', '/tickets/my-tasks', '/tickets', '/agent/chats', '/kb/search', '/kb/updates', '/supervisor', '/kb/read-report', '/admin/users', '/admin/divisions', '/admin/roles',
      '/admin/api-keys', '/admin/webhooks', '/kb/editor', '/admin/audit',
    ]);
  });

  it('a supervisor sees no API keys or webhooks', () => {
    expect(paths('supervisor')).toEqual([
      '/agent', '/tickets/my-tasks', '/tickets', '/agent/chats', '/kb/search', '/kb/updates', '/supervisor', '/kb/read-report', '/admin/users', '/admin/divisions', '/admin/roles', '/admin/audit',
    ]);
  });

  it('an agent sees only the agent desktop, and an area without visible pages is dropped', () => {
    expect(visibleAreas(holder('agent')).map((area) => area.key)).toEqual(['agent']);
  });

  it('each role lands on its own area: admin on users, supervisor on the console, agent on the desktop', () => {
    const landing = (role: string) => landingPage(visibleAreas(holder(role)), holder(role))?.path;
    expect(landing('admin')).toBe('/admin/users');
    expect(landing('supervisor')).toBe('/supervisor');
    expect(landing('agent')).toBe('/agent');
  });

  it('staff of any department see their tasks and tickets, and land on their tasks', () => {
    expect(paths('staff')).toEqual(['/tickets/my-tasks', '/tickets']);
    expect(landingPage(visibleAreas(holder('staff')), holder('staff'))?.path).toBe('/tickets/my-tasks');
  });

  it('someone without any area has no landing page', () => {
    expect(landingPage(visibleAreas(holder('nobody')), holder('nobody'))).toBeUndefined();
  });
});
