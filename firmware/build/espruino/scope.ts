/**
 * A small scope analysis over an acorn (ESTree) program, for the dialect checker: which
 * identifiers are references (not property names, labels or declarations), which declaration each
 * one resolves to, and which are free (globals). Also records every node's parent.
 *
 * Scopes follow ES2015+ rules: `var` and function parameters belong to the nearest function (or
 * the program); `let`, `const` and `class` to the nearest block; a function declaration to its
 * block, and, when that block is not a function body, also (Annex B) as a `var` of the function.
 * Host-side code.
 */
import type * as acorn from 'acorn';

export type Node = acorn.AnyNode;

export type ScopeKind = 'program' | 'function' | 'static-block' | 'block' | 'class' | 'catch' | 'function-name';

export type BindingKind = 'var' | 'let' | 'const' | 'function' | 'class' | 'param' | 'catch' | 'import' | 'function-name' | 'class-name';

export class Scope {
  readonly bindings = new Map<string, Binding>();

  constructor(
    readonly kind: ScopeKind,
    readonly node: Node,
    readonly parent: Scope | undefined,
  ) {}

  /** The scope `var` declarations land in. */
  get varScope(): Scope {
    let scope: Scope = this;
    while (scope.kind !== 'program' && scope.kind !== 'function' && scope.kind !== 'static-block' && scope.parent) scope = scope.parent;
    return scope;
  }

  /** The binding `name` resolves to from here, if the program declares one. */
  resolve(name: string): Binding | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      const binding = scope.bindings.get(name);
      if (binding) return binding;
    }
    return undefined;
  }
}

export interface Binding {
  name: string;
  kind: BindingKind;
  /** The identifier that declares it. */
  id: acorn.Identifier;
  /** The declaring node: FunctionDeclaration, VariableDeclarator, ClassDeclaration, Function (param), ... */
  declaration: Node;
  scope: Scope;
  references: Reference[];
}

export interface Reference {
  id: acorn.Identifier;
  /** The scope the identifier appears in. */
  scope: Scope;
  /** Its value is read (false for the target of a plain `=`). */
  read: boolean;
  /** It is assigned. */
  write: boolean;
  /** The declaration it resolves to; undefined for a global. */
  binding?: Binding;
}

export interface ScopeAnalysis {
  program: acorn.Program;
  /** Every visited node, in source order of visiting (parents before children). */
  nodes: Node[];
  parentOf(node: Node): Node | undefined;
  references: Reference[];
  /** The binding a declaring identifier (function name, variable name, ...) creates. */
  bindingOf(id: acorn.Identifier): Binding | undefined;
}

/** Node fields that never hold child nodes. */
const NOT_CHILDREN = new Set(['type', 'start', 'end', 'loc', 'range', 'raw', 'value', 'regex', 'bigint', 'name', 'operator', 'kind', 'sourceType']);

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

export function analyzeScopes(program: acorn.Program): ScopeAnalysis {
  const parents = new Map<Node, Node>();
  const nodes: Node[] = [];
  const references: Reference[] = [];
  const declared = new Map<acorn.Identifier, Binding>();

  const record = (node: Node, parent: Node | undefined) => {
    if (parent) parents.set(node, parent);
    nodes.push(node);
  };

  const declare = (scope: Scope, id: acorn.Identifier, kind: BindingKind, declaration: Node) => {
    const existing = scope.bindings.get(id.name);
    if (existing) {
      declared.set(id, existing);
      return;
    }
    const binding: Binding = { name: id.name, kind, id, declaration, scope, references: [] };
    scope.bindings.set(id.name, binding);
    declared.set(id, binding);
  };

  const reference = (id: acorn.Identifier, scope: Scope, read: boolean, write: boolean) => {
    references.push({ id, scope, read, write });
  };

  /** Visits the generic children of `node` (every field holding nodes). */
  const visitChildren = (node: Node, scope: Scope) => {
    for (const key of Object.keys(node)) {
      if (NOT_CHILDREN.has(key)) continue;
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item, scope, node);
      } else if (isNode(value)) {
        visit(value, scope, node);
      }
    }
  };

  /**
   * A binding or assignment target. `declare` says where its identifiers are declared (and how);
   * without it they are assignments to existing variables. `compound` marks `+=` and friends.
   */
  const visitPattern = (
    pattern: Node,
    scope: Scope,
    parent: Node,
    declareIn?: { scope: Scope; kind: BindingKind; declaration: Node },
    compound = false,
  ) => {
    if (pattern.type === 'MemberExpression') {
      // An assignment target such as `o.x = 1`: its object (and computed key) are reads.
      visit(pattern, scope, parent);
      return;
    }
    record(pattern, parent);
    switch (pattern.type) {
      case 'Identifier':
        if (declareIn) declare(declareIn.scope, pattern, declareIn.kind, declareIn.declaration);
        else reference(pattern, scope, compound, true);
        return;
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') {
            visitPattern(property, scope, pattern, declareIn);
          } else {
            record(property, pattern);
            if (property.computed) visit(property.key, scope, property);
            visitPattern(property.value, scope, property, declareIn);
          }
        }
        return;
      case 'ArrayPattern':
        for (const element of pattern.elements) if (element) visitPattern(element, scope, pattern, declareIn);
        return;
      case 'RestElement':
        visitPattern(pattern.argument, scope, pattern, declareIn);
        return;
      case 'AssignmentPattern':
        visitPattern(pattern.left, scope, pattern, declareIn);
        visit(pattern.right, scope, pattern);
        return;
      default:
        visitChildren(pattern, scope);
    }
  };

  const visitFunction = (fn: acorn.Function & Node, outer: Scope) => {
    let scope = outer;
    if (fn.type === 'FunctionExpression' && fn.id) {
      scope = new Scope('function-name', fn, scope);
      record(fn.id, fn);
      declare(scope, fn.id, 'function-name', fn);
    }
    const inner = new Scope('function', fn, scope);
    for (const param of fn.params) visitPattern(param, inner, fn, { scope: inner, kind: 'param', declaration: fn });
    if (fn.body.type === 'BlockStatement') {
      record(fn.body, fn);
      for (const statement of fn.body.body) visit(statement, inner, fn.body);
    } else {
      visit(fn.body, inner, fn);
    }
  };

  const visitClass = (cls: acorn.Class & Node, scope: Scope) => {
    if (cls.superClass) visit(cls.superClass, scope, cls);
    const inner = new Scope('class', cls, scope);
    if (cls.type === 'ClassExpression' && cls.id) {
      record(cls.id, cls);
      declare(inner, cls.id, 'class-name', cls);
    }
    record(cls.body, cls);
    for (const member of cls.body.body) visit(member, inner, cls.body);
  };

  const visit = (node: Node, scope: Scope, parent: Node | undefined): void => {
    record(node, parent);
    switch (node.type) {
      case 'Identifier':
        reference(node, scope, true, false);
        return;
      case 'VariableDeclaration': {
        const target = node.kind === 'var' ? scope.varScope : scope;
        for (const declarator of node.declarations) {
          record(declarator, node);
          visitPattern(declarator.id, scope, declarator, { scope: target, kind: node.kind === 'using' || node.kind === 'await using' ? 'const' : node.kind, declaration: declarator });
          if (declarator.init) visit(declarator.init, scope, declarator);
        }
        return;
      }
      case 'FunctionDeclaration':
        if (node.id) {
          record(node.id, node);
          declare(scope, node.id, 'function', node);
          const varScope = scope.varScope;
          if (varScope !== scope && !varScope.bindings.has(node.id.name)) {
            varScope.bindings.set(node.id.name, { name: node.id.name, kind: 'var', id: node.id, declaration: node, scope: varScope, references: [] });
          }
        }
        visitFunction(node, scope);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        visitFunction(node, scope);
        return;
      case 'ClassDeclaration':
        if (node.id) {
          record(node.id, node);
          declare(scope, node.id, 'class', node);
        }
        visitClass(node, scope);
        return;
      case 'ClassExpression':
        visitClass(node, scope);
        return;
      case 'BlockStatement': {
        const block = new Scope('block', node, scope);
        for (const statement of node.body) visit(statement, block, node);
        return;
      }
      case 'StaticBlock': {
        const block = new Scope('static-block', node, scope);
        for (const statement of node.body) visit(statement, block, node);
        return;
      }
      case 'ForStatement': {
        const head = new Scope('block', node, scope);
        if (node.init) visit(node.init, head, node);
        if (node.test) visit(node.test, head, node);
        if (node.update) visit(node.update, head, node);
        visit(node.body, head, node);
        return;
      }
      case 'ForInStatement':
      case 'ForOfStatement': {
        const head = new Scope('block', node, scope);
        if (node.left.type === 'VariableDeclaration') visit(node.left, head, node);
        else visitPattern(node.left, head, node);
        visit(node.right, head, node);
        visit(node.body, head, node);
        return;
      }
      case 'SwitchStatement': {
        visit(node.discriminant, scope, node);
        const block = new Scope('block', node, scope);
        for (const switchCase of node.cases) visit(switchCase, block, node);
        return;
      }
      case 'CatchClause': {
        const catchScope = new Scope('catch', node, scope);
        if (node.param) visitPattern(node.param, catchScope, node, { scope: catchScope, kind: 'catch', declaration: node });
        visit(node.body, catchScope, node);
        return;
      }
      case 'AssignmentExpression':
        visitPattern(node.left, scope, node, undefined, node.operator !== '=');
        visit(node.right, scope, node);
        return;
      case 'UpdateExpression':
        if (node.argument.type === 'Identifier') {
          record(node.argument, node);
          reference(node.argument, scope, true, true);
        } else {
          visit(node.argument, scope, node);
        }
        return;
      case 'MemberExpression':
        visit(node.object, scope, node);
        if (node.computed) visit(node.property, scope, node);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) visit(node.key, scope, node);
        if (node.value) visit(node.value, scope, node);
        return;
      case 'LabeledStatement':
        visit(node.body, scope, node);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
      case 'ExportAllDeclaration':
        return;
      case 'ImportDeclaration':
        for (const specifier of node.specifiers) {
          record(specifier, node);
          record(specifier.local, specifier);
          declare(scope, specifier.local, 'import', node);
        }
        return;
      case 'ExportNamedDeclaration':
        if (node.declaration) visit(node.declaration, scope, node);
        if (!node.source) {
          for (const specifier of node.specifiers) {
            record(specifier, node);
            if (specifier.local.type === 'Identifier') {
              record(specifier.local, specifier);
              reference(specifier.local, scope, true, false);
            }
          }
        }
        return;
      default:
        visitChildren(node, scope);
    }
  };

  const programScope = new Scope('program', program, undefined);
  record(program, undefined);
  for (const statement of program.body) visit(statement, programScope, program);

  for (const ref of references) {
    const binding = ref.scope.resolve(ref.id.name);
    if (binding) {
      ref.binding = binding;
      binding.references.push(ref);
    }
  }

  return {
    program,
    nodes,
    parentOf: (node) => parents.get(node),
    references,
    bindingOf: (id) => declared.get(id),
  };
}
