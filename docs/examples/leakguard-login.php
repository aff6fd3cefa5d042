<?php
// Ask leakguard before checking a customer's password, and tell it the outcome after.
// LEAKGUARD_URL is e.g. http://127.0.0.1:8080, LEAKGUARD_KEY a key from `leakguard keys add shop --scope login`.

function leakguard_post(string $path, array $body): ?array {
    $context = stream_context_create(['http' => [
        'method' => 'POST', 'timeout' => 2, 'ignore_errors' => true,
        'header' => "Content-Type: application/json\r\nX-Api-Key: " . getenv('LEAKGUARD_KEY'),
        'content' => json_encode($body),
    ]]);
    $answer = @file_get_contents(getenv('LEAKGUARD_URL') . $path, false, $context);
    return $answer === false ? null : json_decode($answer, true);
}

// Returns ['verdict' => 'allow'|'require_otp'|'deny', 'change_password' => bool, ...].
function leakguard_check(string $ip, string $account, string $password): array {
    $answer = leakguard_post('/v1/login/check', [
        'ip' => $ip, 'account' => $account,
        'user_agent' => $_SERVER['HTTP_USER_AGENT'] ?? '',
        'password_sha1' => sha1($password),
    ]);
    // Fail open: if leakguard is down, customers can still log in.
    return isset($answer['verdict']) ? $answer : ['verdict' => 'allow', 'change_password' => false];
}

function leakguard_result(string $ip, string $account, bool $success): void {
    leakguard_post('/v1/login/result', [
        'ip' => $ip, 'account' => $account, 'outcome' => $success ? 'success' : 'failure',
    ]);
}
