// Small page helpers that need no inline script (the CSP allows only our own files).
(() => {
  const hideBroken = (img) => img.classList.add("broken");
  document.addEventListener(
    "error",
    (e) => {
      if (e.target instanceof HTMLImageElement && e.target.classList.contains("portrait"))
        hideBroken(e.target);
    },
    true,
  );
  document.addEventListener("DOMContentLoaded", () => {
    for (const img of document.querySelectorAll("img.portrait"))
      if (img.complete && img.naturalWidth === 0) hideBroken(img);
  });
})();
