import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Constructs split out of a stack that was already deployed: the resources they hold keep the logical ids
 * they had when the stack created them directly, so CloudFormation sees no replacement. The stack's
 * `allocateLogicalId` calls `inlineLogicalId`, which computes the id with these constructs left out of the
 * path (exactly as CDK would have for the old path).
 */
export class InlineLogicalIds {
  private readonly inlined = new Set<IConstruct>();

  /** Marks `construct` as a grouping that does not count in its children's logical ids; returns it. */
  add<T extends IConstruct>(construct: T): T {
    this.inlined.add(construct);
    return construct;
  }

  /** The element as `Stack.allocateLogicalId` should see it: its path without the inlined constructs. */
  view(element: CfnElement): CfnElement {
    const scopes = element.node.scopes;
    if (!scopes.some((s) => this.inlined.has(s))) return element;
    const stack: Stack = element.stack;
    return { stack, node: { scopes: scopes.filter((s) => !this.inlined.has(s)) } } as unknown as CfnElement;
  }
}
