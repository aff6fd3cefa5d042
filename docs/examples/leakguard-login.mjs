// Ask leakguard before checking a customer's password, and tell it the outcome after (Node 18+).
import { createHash } from 'node:crypto';

async function post(path, body) {
  const response = await fetch(process.env.LEAKGUARD_URL + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': process.env.LEAKGUARD_KEY },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(2000),
  });
  return response.json();
}

export async function leakguardCheck(ip, account, password, userAgent = '') {
  const password_sha1 = createHash('sha1').update(password, 'utf8').digest('hex');
  // Fail open: if leakguard is down, customers can still log in.
  return post('/v1/login/check', { ip, account, user_agent: userAgent, password_sha1 })
    .catch(() => ({ verdict: 'allow', change_password: false }));
}

export async function leakguardResult(ip, account, success) {
  await post('/v1/login/result', { ip, account, outcome: success ? 'success' : 'failure' })
    .catch(() => {});
}
