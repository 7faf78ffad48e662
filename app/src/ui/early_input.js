// Keeps what a person does before the page becomes interactive (before the WebAssembly has
// loaded and hydrated the page, marked by <html data-hydrated>).
//
// Until then the fields are plain HTML: typing works, but hydration sets every bound field to
// its initial value, which would throw the typing away, and a form sent then would be submitted
// natively (a GET to the page itself) instead of by the app. So values typed early are put
// back and announced to the app once it runs, and a form sent early is sent again by the app.
// Forms with an `action` (sign-in) work natively and are left alone.
(function () {
  var root = document.documentElement;
  var ready = function () {
    return root.hasAttribute("data-hydrated");
  };
  var typed = new Map();
  var sent = null;
  var keep = function (event) {
    var field = event.target;
    if (ready() || !field || !("value" in field) || !field.form) return;
    // the latest change last: of several radios chosen in turn, the last one wins
    typed.delete(field);
    typed.set(field, field.type === "checkbox" || field.type === "radio" ? field.checked : field.value);
  };
  document.addEventListener("input", keep, true);
  document.addEventListener("change", keep, true);
  document.addEventListener(
    "submit",
    function (event) {
      if (ready() || event.target.hasAttribute("action")) return;
      event.preventDefault();
      sent = { form: event.target, by: event.submitter };
    },
    true
  );
  new MutationObserver(function (_, observer) {
    if (!ready()) return;
    observer.disconnect();
    typed.forEach(function (value, field) {
      if (!field.isConnected) return;
      if (typeof value === "boolean") {
        // a radio left unchecked was unchecked by choosing another, which is replayed itself
        if (field.type === "radio" && !value) return;
        field.checked = value;
      } else {
        field.value = value;
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    if (sent && sent.form.isConnected) {
      sent.form.requestSubmit(sent.by && sent.by.isConnected ? sent.by : undefined);
    }
  }).observe(root, { attributes: true, attributeFilter: ["data-hydrated"] });
})();
