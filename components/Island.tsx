/** Server side of islands: renders a component and marks it for hydration with its props. */
import type { ComponentType } from "preact";

/**
 * Renders `component` with `props` inside an element the island's bundle hydrates. Props must be
 * JSON: they travel in an attribute.
 */
export function Island<P extends object>(
  props: { name: string; component: ComponentType<P>; props: P },
) {
  const C = props.component as ComponentType<object>;
  return (
    <div data-island={props.name} data-props={JSON.stringify(props.props)}>
      <C {...props.props} />
    </div>
  );
}
