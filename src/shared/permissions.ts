// What the UI lets a user try, with the reason when not. This only mirrors the core's rules
// (src/core/services/commands.ts): the core and the database enforce them; the UI explains them.
import { ROLE_RANK, type CaseDetail, type Role } from './domain.js';

export interface Permission {
  allowed: boolean;
  reason?: string;
}
export interface CasePermissions {
  claim: Permission;
  release: Permission;
  decide: Permission;
  rollback: Permission;
}

const yes: Permission = { allowed: true };
const no = (reason: string): Permission => ({ allowed: false, reason });
const isSupervisor = (role: Role) => ROLE_RANK[role] >= ROLE_RANK.supervisor;

type CaseFacts = Pick<CaseDetail, 'id' | 'status' | 'level' | 'reviewKind' | 'claimedBy' | 'claimUntil' | 'excludedDeciders'>;

export function claimActive(c: Pick<CaseDetail, 'claimedBy' | 'claimUntil'>, now = Date.now()): boolean {
  return !!c.claimedBy && !!c.claimUntil && new Date(c.claimUntil).getTime() > now;
}

export function casePermissions(user: { id: string; role: Role }, c: CaseFacts, now = Date.now()): CasePermissions {
  const claimedByOther = claimActive(c, now) && c.claimedBy !== user.id;
  let decide: Permission = yes;
  if (c.status !== 'awaiting_review') decide = no(`The case is ${c.status.replace('_', ' ')}: there is nothing to decide.`);
  else if (c.level >= 2 && !isSupervisor(user.role))
    decide = no(`This is an escalated (level ${c.level}${c.reviewKind ? `, ${c.reviewKind}` : ''}) review: supervisors and admins only.`);
  else if (c.excludedDeciders.includes(user.id))
    decide = no(`Four-eyes: you made the decision under review, so someone else must decide this ${c.reviewKind ?? 'review'}.`);
  else if (claimedByOther) decide = no(`Claimed by ${c.claimedBy} until ${new Date(c.claimUntil!).toLocaleTimeString()}.`);

  const claim = !decide.allowed ? decide : claimActive(c, now) && c.claimedBy === user.id ? no('You already hold the claim.') : yes;
  const release = !claimActive(c, now)
    ? no('Nobody holds a claim.')
    : c.claimedBy === user.id || isSupervisor(user.role)
      ? yes
      : no(`Only ${c.claimedBy} or a supervisor can release this claim.`);
  const rollback = !isSupervisor(user.role)
    ? no('Rollback needs a supervisor or an admin.')
    : c.status !== 'actioned'
      ? no(`Only an actioned case can be rolled back (this one is ${c.status.replace('_', ' ')}).`)
      : yes;
  return { claim, release, decide, rollback };
}
