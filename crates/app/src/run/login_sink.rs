//! Login results from `POST /v1/login/result` into the processing thread,
//! through the same intake as `POST /v1/events` (a `json:login` line), so
//! the engine sees them exactly as it sees the shop's own login events.

use std::sync::Arc;

use model::LoginOutcome;
use service::{LoginResult, LoginSink, SinkFuture};
use tokio::sync::mpsc;

use super::Input;

/// Sends each result to the processing thread and waits until it is decided.
#[derive(Debug)]
pub(super) struct EngineSink {
    sender: mpsc::Sender<Input>,
}

impl EngineSink {
    pub(super) fn new(sender: mpsc::Sender<Input>) -> Arc<EngineSink> {
        Arc::new(EngineSink { sender })
    }
}

/// The result as one line of the `json:login` format.
fn login_line(result: &LoginResult) -> String {
    let outcome = match result.outcome {
        LoginOutcome::Success => "success",
        LoginOutcome::Failure => "failure",
    };
    let mut line = serde_json::json!({
        "time": result.time.to_rfc3339(),
        "ip": result.ip.to_string(),
        "account": result.account,
        "outcome": outcome,
        "event": "login",
    });
    if let Some(user_agent) = &result.user_agent {
        line["user_agent"] = serde_json::Value::String(user_agent.clone());
    }
    line.to_string()
}

impl LoginSink for EngineSink {
    fn submit(&self, result: LoginResult) -> SinkFuture<'_> {
        Box::pin(async move {
            let (reply, answer) = tokio::sync::oneshot::channel();
            self.sender
                .send(Input::Intake(login_line(&result), reply))
                .await
                .map_err(|_| "leakguard is stopping".to_owned())?;
            let answer =
                answer.await.map_err(|_| "not processed; send the result again".to_owned())?;
            match answer.errors.first() {
                Some(error) if answer.accepted == 0 => Err(error.message.clone()),
                _ => Ok(answer.decisions),
            }
        })
    }
}
