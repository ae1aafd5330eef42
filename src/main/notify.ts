// Desktop notifications and the badge count for new urgent cases, escalations and appeals.
import { app, Notification, type BrowserWindow } from 'electron';
import type { CoreApi } from '../core/api.js';
import type { CaseSummary } from '../shared/domain.js';

export const needsAttention = (c: Pick<CaseSummary, 'status' | 'priority' | 'level'>) =>
  c.status === 'awaiting_review' && (c.priority === 'urgent' || c.level >= 2);

export function startAttentionWatch(core: CoreApi, win: () => BrowserWindow | null): () => void {
  const seen = new Set<string>();
  let refreshing: Promise<void> | undefined;
  const refresh = async (announce: boolean) => {
    const open = (await core.listCases({ status: ['awaiting_review'], limit: 5000 })).filter(needsAttention);
    for (const c of open) {
      const key = `${c.id}:${c.level}:${c.reviewKind ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (announce && Notification.isSupported()) {
        const what = c.reviewKind === 'appeal' ? 'Appeal' : c.level >= 2 ? 'Escalated review' : 'Urgent case';
        const n = new Notification({ title: `${what}: ${c.contentId}`, body: c.textPreview.slice(0, 120) });
        n.on('click', () => win()?.show());
        n.show();
      }
    }
    app.setBadgeCount(open.length);
  };
  const run = (announce: boolean) => {
    refreshing ??= refresh(announce)
      .catch(() => {})
      .finally(() => (refreshing = undefined));
  };
  run(false);
  return core.onEvent((e) => {
    if (e.type === 'case.updated') run(true);
  });
}
