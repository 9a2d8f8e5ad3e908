// The password change page the CAS login page links to. It needs a session:
// the CAS grant cookie (a user who must change an initial password has only
// that) or the web session.
import { call, post, toLogin, errorText } from './api.js';

const form = document.getElementById('password-form');
const error = document.getElementById('password-error');
const who = document.getElementById('who');
let user = null;

function fail(message, field) {
  error.textContent = message;
  error.hidden = false;
  for (const input of form.querySelectorAll('input')) input.removeAttribute('aria-invalid');
  if (field) { form[field].setAttribute('aria-invalid', 'true'); form[field].focus(); }
}

async function start() {
  try {
    const check = await call('access/login_check');
    user = check.user_name;
    who.textContent = check.modify_pwd
      ? `${user}, your password is an initial one: choose your own before you continue.`
      : `Logged in as ${user}.`;
    form.old_password.focus();
  } catch (e) {
    if (e.status !== 401) fail(errorText(e));
    else toLogin();
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const old = form.old_password.value;
  const next = form.new_password.value;
  if (!old) return fail('Enter your current password.', 'old_password');
  if (next.length < 8) return fail('The new password must have at least 8 characters.', 'new_password');
  if (next !== form.confirm_password.value) return fail('The two new passwords differ.', 'confirm_password');
  try {
    await post('access/modify_self_password', { old_password: old, new_password: next, confirm_password: form.confirm_password.value });
    location.assign('/');
  } catch (e) {
    fail(errorText(e), /old password/i.test(e.message) ? 'old_password' : 'new_password');
  }
});

start();
