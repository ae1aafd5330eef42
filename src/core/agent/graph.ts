import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { END, START, StateGraph } from '@langchain/langgraph';
import type { AgentDeps } from './deps.js';
import { analyzeNode } from './nodes/analyze.js';
import { executeNode } from './nodes/execute.js';
import { humanReviewNode } from './nodes/human-review.js';
import { reverseNode } from './nodes/reverse.js';
import { nextAfterAnalysis, routeAfterReversal, routeAfterReview } from './nodes/route.js';
import { autoDecideNode, autoResolveNode, closeCaseNode, escalateNode, reopenNode } from './nodes/simple.js';
import { CaseState } from './state.js';

/**
 * analyze → (end, when clean | autoDecide → execute | humanReview → execute | escalate → humanReview)
 * A rollback enters at `reverse` and an appeal at `humanReview` on the finished thread (Command goto).
 */
export function buildGraph(deps: AgentDeps, checkpointer: BaseCheckpointSaver) {
  return new StateGraph(CaseState)
    .addNode('analyze', analyzeNode(deps))
    .addNode('autoResolve', autoResolveNode)
    .addNode('autoDecide', autoDecideNode)
    .addNode('humanReview', humanReviewNode)
    .addNode('escalate', escalateNode)
    .addNode('execute', executeNode(deps))
    .addNode('reverse', reverseNode(deps))
    .addNode('reopen', reopenNode)
    .addNode('closeCase', closeCaseNode)
    .addEdge(START, 'analyze')
    // `autoResolve` is never chosen now; it stays a declared target for threads whose version-1 analyze
    // step already chose it before a crash (see GRAPH_VERSION).
    .addConditionalEdges('analyze', nextAfterAnalysis, { end: END, autoDecide: 'autoDecide', humanReview: 'humanReview', autoResolve: 'autoResolve' })
    .addEdge('autoResolve', END)
    .addEdge('autoDecide', 'execute')
    .addConditionalEdges('humanReview', routeAfterReview, ['execute', 'escalate', 'reverse', 'closeCase'])
    .addEdge('escalate', 'humanReview')
    .addEdge('execute', END)
    .addConditionalEdges('reverse', routeAfterReversal, { reopen: 'reopen', closeCase: 'closeCase', end: END })
    .addEdge('reopen', 'humanReview')
    .addEdge('closeCase', END)
    .compile({ checkpointer });
}

export type CaseGraph = ReturnType<typeof buildGraph>;
