/** Browser side of islands: hydrates each server-rendered island with the props it was given. */
import { type ComponentType, h, hydrate } from "preact";

/** Hydrates every element marked `data-island="name"` with `Component` and its JSON props. */
export function hydrateIslands<P>(name: string, Component: ComponentType<P>): void {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-island="${name}"]`)) {
    const props = JSON.parse(el.dataset.props ?? "{}") as P;
    hydrate(
      h(Component as ComponentType<Record<string, unknown>>, props as Record<string, unknown>),
      el,
    );
  }
}
