/** Where an operator gives the admin token for this tab (static/admin.js keeps it in sessionStorage). */
export function AdminToken(props: { enabled: boolean }) {
  return (
    <section class="card">
      <div class="card-head">
        <h2>Admin token</h2>
        <span class="muted" data-admin-state="">
          no token: actions answer 401
        </span>
      </div>
      {props.enabled ? (
        <form class="toolbar" data-admin-token-form="">
          <input
            type="password"
            name="token"
            id="admin-token"
            placeholder="WEB_ADMIN_TOKEN"
            autocomplete="off"
            aria-label="admin token"
          />
          <button class="btn btn-ghost" type="submit" id="admin-token-save">
            Use for this tab
          </button>
        </form>
      ) : (
        <p class="muted">State-changing requests are disabled: WEB_ADMIN_TOKEN is not set.</p>
      )}
    </section>
  );
}
