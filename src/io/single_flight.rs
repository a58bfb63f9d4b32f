//! One refresh request per refresh token at a time (A5.3 of the security checklist). With refresh-token
//! rotation and reuse detection, presenting the same refresh token twice revokes the whole grant, and two
//! parts of an app that refresh at once would do exactly that. Concurrent [`share`] calls with the same
//! key get the first call's outcome instead of a second request.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::future::{poll_fn, Future};
use core::task::{Poll, Waker};

use crate::{Error, ErrorCode, TokenSet};

type Outcome = Result<TokenSet, Error>;

struct Flight {
    key: String,
    outcome: RefCell<Option<Outcome>>,
    waiters: RefCell<Vec<Waker>>,
}

std::thread_local! {
    /// The requests under way (wasm32 is single-threaded: one list per wasm instance).
    static FLIGHTS: RefCell<Vec<Rc<Flight>>> = const { RefCell::new(Vec::new()) };
}

/// Lands a flight when its request finishes or is dropped: it leaves the list (a later call sends a new
/// request) and its waiters wake. A request dropped before its answer leaves them `network_error`: it
/// may have reached the server, so they must not send the same token again.
struct Landing(Rc<Flight>);

impl Drop for Landing {
    fn drop(&mut self) {
        FLIGHTS.with_borrow_mut(|f| f.retain(|other| !Rc::ptr_eq(other, &self.0)));
        self.0
            .outcome
            .borrow_mut()
            .get_or_insert_with(|| Err(Error::client(ErrorCode::NetworkError)));
        for waker in self.0.waiters.take() {
            waker.wake();
        }
    }
}

/// Awaits `request`, unless a request with the same `key` is under way: then its outcome, without
/// sending anything.
pub(crate) async fn share(key: String, request: impl Future<Output = Outcome>) -> Outcome {
    let under_way = FLIGHTS.with_borrow(|f| f.iter().find(|f| f.key == key).cloned());
    if let Some(flight) = under_way {
        return poll_fn(|cx| match &*flight.outcome.borrow() {
            Some(outcome) => Poll::Ready(outcome.clone()),
            None => {
                flight.waiters.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
    }
    let flight = Rc::new(Flight {
        key,
        outcome: RefCell::new(None),
        waiters: RefCell::new(Vec::new()),
    });
    FLIGHTS.with_borrow_mut(|f| f.push(Rc::clone(&flight)));
    let landing = Landing(Rc::clone(&flight));
    let outcome = request.await;
    *flight.outcome.borrow_mut() = Some(outcome.clone());
    drop(landing);
    outcome
}
