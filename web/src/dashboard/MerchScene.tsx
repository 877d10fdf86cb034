import { contentLines } from "./playlist";

/** The merch / promo scene: the operator's lines (the scene's content), large enough to read across a room. */
export function MerchScene({ name, content }: { name: string; content: string }) {
  const lines = contentLines(content);
  return (
    <section className="scene scene--merch" data-scene="merch" aria-labelledby="scene-merch-title">
      <h2 className="merch__title" id="scene-merch-title">
        {name}
      </h2>
      <ul className="merch__list" data-testid="merch-items">
        {lines.map((line, i) => (
          // Lines may repeat; their place is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <li key={i} className="merch__item">
            {line}
          </li>
        ))}
      </ul>
    </section>
  );
}
