import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

export class PromqlError extends Error {
  override readonly name = 'PromqlError';
}

/**
 * Dashboard and analysis-template placeholders that are not PromQL: Grafana's `$__rate_interval` family
 * stands for a duration. Label values such as `"$pod"` or `"{{args.service-name}}"` sit inside strings
 * and parse as they are.
 */
function substitutePlaceholders(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

function metricNameOf(node: SyntaxNode, source: string): string[] {
  const names: string[] = [];
  const identifier = node.getChild('Identifier');
  if (identifier !== null) names.push(source.slice(identifier.from, identifier.to));
  const matchers = node.getChild('LabelMatchers');
  for (const matcher of matchers?.getChildren('UnquotedLabelMatcher') ?? []) {
    const label = matcher.getChild('LabelName');
    const op = matcher.getChild('MatchOp')?.getChild('EqlSingle');
    const value = matcher.getChild('StringLiteral');
    if (label && op && value && source.slice(label.from, label.to) === '__name__') {
      names.push(JSON.parse(source.slice(value.from, value.to).replace(/^'|'$/g, '"')) as string);
    }
  }
  return names;
}

/** Parses a PromQL expression and returns the metric names it selects (sorted, unique). */
export function promqlMetricNames(expr: string): string[] {
  const source = substitutePlaceholders(expr);
  if (source.trim() === '') throw new PromqlError('PromQL expression is empty');
  const tree = parser.parse(source);
  const names = new Set<string>();
  let error: number | undefined;
  tree.iterate({
    enter(ref) {
      if (ref.type.isError && error === undefined) error = ref.from;
      if (ref.name === 'VectorSelector') {
        for (const name of metricNameOf(ref.node, source)) names.add(name);
      }
    },
  });
  if (error !== undefined) {
    const near = source.slice(Math.max(0, error - 20), error + 20);
    throw new PromqlError(`PromQL does not parse at offset ${error} (near "${near}"): ${expr}`);
  }
  return [...names].sort();
}

/**
 * Parses `expr` and checks every metric it uses is in `knownMetrics`; returns the metric names used.
 * Throws a PromqlError naming the unknown metrics, so a typo in a rule, dashboard or AnalysisTemplate
 * fails its test instead of silently matching nothing.
 */
export function promqlCheck(expr: string, knownMetrics: Iterable<string>): string[] {
  const known = knownMetrics instanceof Set ? (knownMetrics as ReadonlySet<string>) : new Set(knownMetrics);
  const names = promqlMetricNames(expr);
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new PromqlError(`unknown metric${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in: ${expr}`);
  }
  return names;
}
