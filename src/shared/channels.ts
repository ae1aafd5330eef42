// Channel names of the IPC contract, as plain data (no zod): the sandboxed preload builds one bridge
// method per name from this list without bundling the schemas. contract.ts checks it is complete.
export const COMMAND_NAMES = [
  'session:get',
  'session:signIn',
  'session:signOut',
  'cases:list',
  'case:get',
  'case:claim',
  'case:release',
  'case:decide',
  'case:rollback',
  'case:note',
  'appeal:decide',
  'audit:list',
  'audit:verify',
  'statements:export',
  'metrics:get',
  'dashboard:get',
  'moderators:list',
  'people:list',
  'people:add',
  'people:disable',
  'people:setRole',
  'outbox:list',
  'outbox:discard',
  'outbox:escalate',
  'update:get',
  'update:check',
  'update:download',
  'update:restart',
  'settings:get',
  'wellbeing:get',
  'wellbeing:set',
  'case:reveal',
  'templates:list',
  'templates:save',
  'templates:delete',
  'views:list',
  'views:save',
  'views:delete',
  'deadLetters:list',
  'deadLetters:get',
  'deadLetters:replay',
  'deadLetters:discard',
  'presence:touch',
  'presence:list',
  'shell:attention',
  'bulk:preview',
  'bulk:run',
  'bulk:undo',
  'bulk:get',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const EVENT_NAMES = ['case:updated', 'queue:changed', 'connection:changed', 'outbox:changed', 'session:changed', 'update:changed', 'bulk:progress'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Bridge method name for a channel: `case:decide` → `caseDecide`. */
export function methodName(name: CommandName): string {
  return name.replace(/:(\w)/g, (_, c: string) => c.toUpperCase()).replace(/^(\w)/, (c) => c);
}
