import { useCallback } from 'react';
import { useCase } from '../../store/case';
import { useQueue } from '../../store/queue';

/** The content id of a case the desktop already holds (the open case or a loaded queue row), if any. */
export function useContentIdOf(): (caseId: string) => string | undefined {
  const cases = useQueue((s) => s.cases);
  const detail = useCase((s) => s.detail);
  return useCallback(
    (caseId: string) => (detail?.id === caseId ? detail.contentId : cases.find((c) => c.id === caseId)?.contentId),
    [cases, detail],
  );
}
