/** The one way a view shows its error: an alert banner, dismissable where the view offers it. */
export function ErrorBanner({ error, onDismiss }: { error: string | null; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div className="error-banner" role="alert">
      {error}
      {onDismiss && (
        <button type="button" aria-label="Dismiss error" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
