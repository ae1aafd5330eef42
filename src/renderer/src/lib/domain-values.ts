// Runtime values from the shared domain (zod-only module, safe in the renderer).
export { CATEGORY_IDS } from '../../../shared/domain';
