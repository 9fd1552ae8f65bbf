// Runs before the page paints so GOV.UK Frontend's JavaScript-only styles apply at once.
document.documentElement.classList.add('js-enabled');
document.addEventListener('DOMContentLoaded', function () {
  document.body.classList.add('js-enabled');
  if ('noModule' in HTMLScriptElement.prototype) {
    document.body.classList.add('govuk-frontend-supported');
  }
});
