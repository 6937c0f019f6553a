// The card, from the browser to Stripe only: Stripe.js's card Element makes a payment method, and
// this server receives its id alone. A card that needs 3-D Secure is confirmed here, client-side,
// with the PaymentIntent's client secret; the signed webhook then settles the booking.
(function () {
  const form = document.getElementById("pay-form");
  if (form) {
    const stripe = Stripe(form.dataset.stripeKey);
    const card = stripe.elements().create("card");
    card.mount("#card-element");
    const error = document.getElementById("pay-error");
    const button = document.getElementById("pay-button");
    const show = function (message) {
      error.textContent = message;
      error.hidden = false;
      button.disabled = false;
    };
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      button.disabled = true;
      error.hidden = true;
      let id = null;
      const made = await stripe.createPaymentMethod({type: "card", card: card});
      if (made && made.paymentMethod) {
        id = made.paymentMethod.id;
      } else if (made && made.error) {
        return show(made.error.message);
      } else {
        // localstripe's fake Stripe.js (tests, `make run` with localstripe) makes a card through a token.
        const tokenised = await stripe.createToken(card);
        if (tokenised.error) return show(tokenised.error.message || "The card was not accepted.");
        id = tokenised.token.card.id;
      }
      document.getElementById("payment-method").value = id;
      form.submit();
    });
  }
  const pending = document.getElementById("authenticate");
  if (pending && pending.dataset.status === "requires_action") {
    Stripe(pending.dataset.stripeKey).confirmCardPayment(pending.dataset.clientSecret)
      .then(function () {  // the page then follows the webhook's settlement
        window.location.replace(window.location.pathname + "?authenticated=1");
      });
  }
})();
