// Start GOV.UK Frontend's components (error summary focus, service navigation, etc.).
import { initAll } from '../vendor/govuk/govuk-frontend.min.js';

// Module scripts run before DOMContentLoaded, when js-enabled.js marks the body, and
// initAll does nothing unless the body is marked. A browser running this module is
// supported, so mark the body here first.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();

// Ask before destructive actions: any form with data-confirm asks first.
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    if (!window.confirm(form.getAttribute('data-confirm'))) {
      event.preventDefault();
    }
  });
});

// A "Print" button prints the page (print styles leave out the controls). It is hidden
// until this script runs, since without JavaScript the browser's own print still works.
document.querySelectorAll('[data-print]').forEach(function (button) {
  button.hidden = false;
  button.addEventListener('click', function () {
    window.print();
  });
});
