// The configured classifier: Groq when a key is set (the rules answer when it cannot), else the rules.
// Its own module so that what imports it (the worker role, `guardian eval`) loads @langchain/groq, and the
// rest of the core does not (standalone start, issue 16).
import type { Config } from '../config.js';
import type { Logger } from '../ports.js';
import type { Classifier } from './classifier.js';
import { createGroqClassifier } from './groq.js';
import { createRulesClassifier } from './rules.js';

export function createClassifier(config: Config, logger: Logger): Classifier {
  const rules = createRulesClassifier({ policyFile: config.policyFile });
  if (!config.groq) return rules;
  return createGroqClassifier({ ...config.groq, fallback: rules, logger, policy: rules.policy });
}
