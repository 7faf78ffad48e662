// Says so when the page's app did not start, or stopped. Without it, a page whose WebAssembly
// did not arrive, or trapped (a Rust panic aborts in the browser), stays painted and looks
// fine while its buttons and forms do nothing.
(function () {
  var root = document.documentElement;
  var ready = function () {
    return root.hasAttribute("data-hydrated");
  };
  var trapped = function (error) {
    return typeof WebAssembly === "object" && error instanceof WebAssembly.RuntimeError;
  };
  var shown = false;
  var show = function () {
    if (shown || !document.body) return;
    shown = true;
    var alert = document.createElement("div");
    alert.className = "page-broken";
    alert.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = ready()
      ? "This page stopped working after an error, so its buttons and forms may not respond. Reload it to carry on."
      : "This page did not finish loading, so its buttons and forms will not respond. Check your connection, then reload it.";
    var reload = document.createElement("button");
    reload.type = "button";
    reload.className = "btn btn-primary";
    reload.textContent = "Reload";
    reload.addEventListener("click", function () {
      location.reload();
    });
    alert.append(text, reload);
    document.body.prepend(alert);
  };
  window.addEventListener("error", function (event) {
    if (trapped(event.error)) show();
  });
  window.addEventListener("unhandledrejection", function (event) {
    // before the app runs, the only promises are the loader's: a rejection is a module that
    // did not arrive or did not start
    if (trapped(event.reason) || !ready()) show();
  });
})();
