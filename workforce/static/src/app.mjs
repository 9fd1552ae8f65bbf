// Start GOV.UK Frontend's components (error summary focus, service navigation, etc.).
import { initAll } from '../vendor/govuk/govuk-frontend.min.js';

initAll();

// Ask before destructive actions: any form with data-confirm asks first.
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    if (!window.confirm(form.getAttribute('data-confirm'))) {
      event.preventDefault();
    }
  });
});
