/* The engine's timer service under machine.Timer (esp32, rp2) and Pycom's
 * Timer.Alarm: callbacks run the way Pin IRQs do (engine_mod_pin_irq.c),
 * as scheduled handlers on the Python thread between bytecodes, in board
 * time.
 *
 * The schedule is util/softtimer.h. Its earliest deadline is published to
 * the board (hal->timer_deadline): the supervisor sends SIGUSR1 when it is
 * due (so a busy `while True: pass` gets its callbacks) and never jumps a
 * fast clock past it; the HAL's idle waits end there. When a wait ends at
 * a due timer the engine trips the SIGUSR1 handler itself
 * (vb_timer_poke_due), which runs the callbacks.
 *
 * As upstream's scheduler, an exception escaping a callback is printed and
 * the timer keeps going (esp32, rp2 and Pycom print it and carry on); a
 * KeyboardInterrupt reaches the running code. */
#include "engine_int.h"
#include "util/softtimer.h"

#include <signal.h>

/* Callbacks run per round before the main code gets a bytecode: a timer
 * with a period shorter than its callback cannot starve it entirely. */
#define CALLS_PER_ROUND 8

typedef struct {
    PyObject *owner;               /* the Python timer (strong while armed) */
    PyObject *callback;
    PyObject *arg;
} timer_slot;

/* The VM's timers. Why global: there is one interpreter per VM process and
 * the SIGUSR1 handler CPython calls carries no user pointer (as
 * vb_engine_g); a forked VM starts with none (vb_timer_after_fork). */
static struct {
    vb_softtimers q;
    timer_slot slot[VB_SOFTTIMER_MAX];
    int64_t published;             /* the deadline the board last heard */
    bool running;                  /* callbacks running: no nested round */
} tm = {.published = INT64_MAX};

static const vb_hal *hal(void) { return vb_engine_g.hal; }

static void publish(void)
{
    /* while callbacks run none can be run (they do not nest, as upstream's
     * scheduler): a callback that waits really waits */
    int64_t next = tm.running ? INT64_MAX : vb_softtimer_next(&tm.q);
    if (next == tm.published || !hal() || !hal()->timer_deadline) return;
    tm.published = next;
    hal()->timer_deadline(hal()->ctx, next);
}

int64_t vb_timer_next(void) { return tm.running ? INT64_MAX : vb_softtimer_next(&tm.q); }

static void clear_slot(int i)
{
    timer_slot s = tm.slot[i];
    tm.slot[i] = (timer_slot){NULL, NULL, NULL};
    vb_softtimer_cancel(&tm.q, i);
    Py_XDECREF(s.owner);
    Py_XDECREF(s.callback);
    Py_XDECREF(s.arg);
}

int vb_timer_start(PyObject *owner, PyObject *callback, PyObject *arg, int64_t first_us, int64_t period_us)
{
    vb_timer_stop(owner);
    int64_t now = vb_engine_now_us();
    int64_t when = first_us > INT64_MAX - now ? INT64_MAX - 1 : now + first_us;
    int i = vb_softtimer_add(&tm.q, when, period_us);
    if (i < 0) {
        vb_raise_errno(ENOMEM);
        return -1;
    }
    tm.slot[i] = (timer_slot){Py_NewRef(owner), Py_XNewRef(callback), Py_XNewRef(arg)};
    publish();
    return 0;
}

void vb_timer_stop(PyObject *owner)
{
    for (int i = 0; i < VB_SOFTTIMER_MAX; i++)
        if (tm.slot[i].owner == owner) clear_slot(i);
    publish();
}

bool vb_timer_armed(PyObject *owner, int64_t *deadline)
{
    for (int i = 0; i < VB_SOFTTIMER_MAX; i++) {
        if (tm.slot[i].owner != owner || !tm.q.t[i].used) continue;
        if (deadline) *deadline = tm.q.t[i].deadline;
        return true;
    }
    return false;
}

void vb_timer_poke_due(void)
{
    if (vb_timer_next() <= vb_engine_now_us()) (void)PyErr_SetInterruptEx(SIGUSR1);
}

int vb_timer_run_due(void)
{
    if (tm.running) return 0;
    tm.running = true;
    publish();
    int rc = 0;
    for (int n = 0; n < CALLS_PER_ROUND && rc == 0; n++) {
        bool expired;
        int i = vb_softtimer_take(&tm.q, vb_engine_now_us(), &expired);
        if (i < 0) break;
        /* the callback may stop or restart its own timer */
        PyObject *owner = Py_NewRef(tm.slot[i].owner);
        PyObject *cb = Py_XNewRef(tm.slot[i].callback);
        PyObject *arg = Py_NewRef(tm.slot[i].arg ? tm.slot[i].arg : owner);
        if (expired) clear_slot(i);
        PyObject *r = cb && cb != Py_None ? PyObject_CallOneArg(cb, arg) : Py_NewRef(Py_None);
        if (r) Py_DECREF(r);
        else if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) rc = -1;
        else vb_engine_report_callback_exception();
        Py_DECREF(owner);
        Py_XDECREF(cb);
        Py_DECREF(arg);
    }
    tm.running = false;
    publish();
    if (rc == 0) vb_timer_poke_due();   /* more due than one round takes */
    return rc;
}

void vb_timer_after_fork(void)
{
    /* the zygote arms none; a VM starts clean, and says so to the board */
    vb_softtimers_init(&tm.q);
    for (int i = 0; i < VB_SOFTTIMER_MAX; i++) tm.slot[i] = (timer_slot){NULL, NULL, NULL};
    tm.running = false;
    tm.published = INT64_MIN;
    publish();
}
