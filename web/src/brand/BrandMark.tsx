// The product's lightning mark, shown by the venue header, the attendee page and the admin area alike;
// the event's own logo in its place once the operator uploaded one (GET /v1/event/logo).
export function BrandMark({ logoUrl }: { logoUrl?: string | null } = {}) {
  if (logoUrl) {
    // Beside the event's name, which says the same: decorative, so no alternative text.
    return <img className="brand__mark brand__logo" src={logoUrl} alt="" data-testid="event-logo" />;
  }
  return (
    <svg className="brand__mark" viewBox="0 0 64 64" aria-hidden="true">
      <circle cx="32" cy="32" r="30" fill="currentColor" />
      <path fill="#0b0e14" d="M36 9 17 36h12.5L26 55l20.5-28H34.5L36 9z" />
    </svg>
  );
}
