// The admin token for state-changing requests (trigger, pause, resume, re-drive). Kept in this tab's
// sessionStorage only, and sent as a bearer token on the htmx requests that change state.
(() => {
  const KEY = "pulse.adminToken";
  const token = () => sessionStorage.getItem(KEY) ?? "";
  const show = () => {
    for (const el of document.querySelectorAll("[data-admin-state]"))
      el.textContent = token() ? "token set for this tab" : "no token: actions answer 401";
  };
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-admin-token-form]")) return;
    e.preventDefault();
    const input = form.querySelector("input[name=token]");
    if (input instanceof HTMLInputElement) {
      if (input.value) sessionStorage.setItem(KEY, input.value);
      else sessionStorage.removeItem(KEY);
      input.value = "";
    }
    show();
  });
  document.addEventListener("htmx:configRequest", (e) => {
    const verb = String(e.detail.verb).toUpperCase();
    if (verb !== "GET" && token()) e.detail.headers.Authorization = `Bearer ${token()}`;
  });
  // An answer that is not 2xx still shows its message where the action asked for it.
  document.addEventListener("htmx:beforeSwap", (e) => {
    if (e.detail.xhr.status >= 400 && e.detail.target?.matches("[data-admin-result]")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("DOMContentLoaded", show);
})();
