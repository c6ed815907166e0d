/*
 * The grant quorum (src/Actors/Grants/README.md), checked with spin: "never two forgers".
 *
 * One process; every step is one deterministic guarded action (d_step), and every choice (which agent, replica,
 * term, how a clock drifted) is a separate option of the main loop, so spin explores every interleaving of:
 *   - proposers: any term reaches any replica at any time (stale, dueling and late proposers; loss; reordering);
 *   - agents send requests (a confused coordinator may name another incarnation's term); the batcher puts them in
 *     rounds whose entries are fixed when sent; replicas handle round entries in any order, any number of times
 *     (loss, duplication, reordering); the batcher answers once a majority of configured regions accepted; the
 *     answer reaches the agent any time later;
 *   - agents release (node verified off first), crash and restart as a new incarnation; replicas lose their disk
 *     and recover; coordinators down regions.
 * Time is global and discrete. Drift is a bounded offset, always taken at its worst (that dominates every smaller
 * drift): an agent forges D longer, a replica ends a wait D early. Node n forges on [answer, stop[n]); its fence
 * enforces stop[n].
 *
 * -DTL=1..8 selects one of issue 3's timelines (terms, holders, TTLs, enabled faults); TL=0 enables everything.
 * -DREACH checks "the timeline's situation is never reached" instead of safety: its violation proves the timeline
 * is a behaviour of the model. Mutants each remove one rule: NO_MARGIN, NO_PREV (a new term does not wait for the
 * previous one), NO_LIVE (a released term's release also clears what it inherited, as if it had been live),
 * NO_INC (incarnations not compared), DUPS (acks counted, not distinct regions), JOIN (a request joins a round in
 * flight), MEMBERS (majority of current members), RECOVER_ONE (a lost replica copies one other), NO_AMNESIA_WAIT
 * (a recovered replica renews at once), NO_MONO (grants and late grants for lower terms accepted too).
 */

#define NR 3            /* replicas = configured regions A, B, C */
#define MAJ 2
#define NA 3            /* agents: 0 = node 0 incarnation 1, 1 = node 1, 2 = node 0 incarnation 2 */
#define NONE 255
#define D 1
#ifdef NO_MARGIN
#define M 0
#else
#define M 1
#endif
#define NODE(a) ((a) == 1 -> 1 : 0)
#define BIT(i) (1 << (i))
#define POP(m) (((m) & 1) + (((m) >> 1) & 1) + (((m) >> 2) & 1))
#define MAX(a, b) ((a) > (b) -> (a) : (b))

#ifndef TL
#define TL 0
#endif

/* ---- scenarios: term holders and TTLs, terms in play, enabled faults ---- */
#if TL == 3 || TL == 4
#define H1 0
#define H2 1
#define H3 1
#elif TL == 5
#define H1 1
#define H2 0
#define H3 1
#else
#define H1 0
#define H2 1
#define H3 0
#endif
#if TL == 4
#define TTL1 4          /* a long term, then short ones */
#else
#define TTL1 2
#endif
#define TTL2 2
#define TTL3 2
#define HOLD(t) ((t) == 1 -> H1 : ((t) == 2 -> H2 : H3))
#define TTL(t) ((t) == 1 -> TTL1 : ((t) == 2 -> TTL2 : TTL3))
#define TTLMAX MAX(TTL1, MAX(TTL2, TTL3))

/* horizon: TTL 2, margin 1, drift 1, so each hold is 2 ticks; enough for every timeline and its counterexamples */
#ifndef TMAX
#if TL == 3 || TL == 5 || TL == 7
#define TMAX 3
#elif TL == 6
#define TMAX 4
#else
#define TMAX 5
#endif
#endif
/* requests per agent incarnation: every timeline needs one (TL 6: a second one joins the round in flight;
   TL 5: the holder retries after a refusal);
   the bound keeps each search in seconds */
#ifndef REQS
#define REQS 1
#endif
#if TL == 6 || TL == 5
#define REQS0 2
#else
#define REQS0 REQS
#endif
#if TL == 1 || TL == 6 || TL == 7 || TL == 8
#define TERMS 2
#else
#define TERMS 3
#endif
#if TL == 0 || TL == 6
#define BATCHER 1       /* requests wait in the batcher for the next round; else a round is sent at once */
#endif
/* which agent sends requests for which term in each timeline (TL 0: any agent, any term of its node) */
#if TL == 0
#define MAY_REQUEST(a, t) (a == HOLD(t) || NODE(HOLD(t)) == NODE(a))
#elif TL == 2
#define MAY_REQUEST(a, t) (((a) == 1 && (t) == 2) || ((a) == 0 && (t) == 3))
#elif TL == 3 || TL == 4
#define MAY_REQUEST(a, t) (((a) == 0 && (t) == 1) || ((a) == 1 && (t) == 3))
#elif TL == 5
#define MAY_REQUEST(a, t) (((a) == 0 && (t) == 2) || ((a) == 1 && (t) != 2))   /* the stale term 1, or term 3 */
#elif TL == 7
#define MAY_REQUEST(a, t) ((t) == 1 && (a) != 1 || (a) == 1 && (t) == 2)   /* incarnation 2 is told term 1 */
#else
#define MAY_REQUEST(a, t) (((a) == 0 && (t) == 1) || ((a) == 1 && (t) == 2))
#endif
#if TL == 0
#define RELEASES 1
#define MAY_RELEASE(a, t) true
#elif TL == 3
#define RELEASES 1
#define MAY_RELEASE(a, t) ((a) == 1 && (t) == 2)     /* T6 is released before it ever forged */
#elif TL == 7
#define RELEASES 1
#define MAY_RELEASE(a, t) ((a) == 0 && (t) == 1)     /* the old incarnation releases, then crashes */
#endif
#if TL == 0 || TL == 7
#define CRASHES 1
#endif
#if TL == 0 || TL == 5
#define DISKS 1
#endif
#if TL == 8
#define DOWNING 1
#endif

byte now;
/* replicas */
byte cur[NR];           /* current term, 0: none */
bool live[NR];          /* accepted a renewal of cur */
bool rel[NR];           /* cur released by its holder's incarnation */
byte hold[NR];          /* last accepted renewal of cur + TTL + margin (replica clock), 0: none or passed */
byte act[NR];           /* renewals of cur refused before this time, 0: none or passed */
bool recov[NR];         /* lost its disk, not yet recovered */
byte down;              /* regions downed by the coordinator's membership (never by the quorum) */
/* agents, batcher, network */
byte qS[NA], qT[NA];            /* request waiting in the batcher: send time (NONE: none), term */
byte rS[NA], rT[NA], rAck[NA];  /* round in flight: its request's send time (NONE: none), term, accepting regions */
byte rCnt[NA];                  /* DUPS: acks counted */
byte aS[NA], aT[NA];            /* majority answer in flight to the agent */
byte relPend[NA], relT[NA];     /* release in flight: regions it has not reached, term */
byte ended[NA];                 /* terms the agent released (bit t) */
byte budget[NA];
bool crashed[NA], started[NA];
byte stop[2];                   /* node n forges while now < stop[n] */
byte goal;                      /* REACH: parts of the timeline's situation seen */
byte sc2, sc3;                  /* TL 2: shortcut installs of terms 2 and 3 */

#if TL == 2
#define GOAL (sc2 >= 2 && sc3 >= 2)
#elif TL == 5
#define GOAL (goal == 3)
#else
#define GOAL (goal != 0)
#endif
#ifdef REACH
#define CHECK assert(!GOAL)
#else
#define CHECK assert(!(now < stop[0] && now < stop[1]))
#endif

/* from when another term may be renewed at replica r: what cur inherited, and cur's own renewals unless released */
#if defined(NO_PREV)
#define QP(r) 0
#elif defined(NO_LIVE)
#define QP(r) (rel[r] -> 0 : MAX(hold[r], act[r]))
#else
#define QP(r) (rel[r] -> act[r] : MAX(hold[r], act[r]))
#endif

inline install(r, t) {
#if TL == 3
  if :: t == 3 && cur[r] == 2 && rel[r] && !live[r] && now < stop[0] -> goal = 1 :: else -> skip fi;
#endif
#if TL == 2
  if :: QP(r) <= now && t == 2 -> sc2++ :: QP(r) <= now && t == 3 -> sc3++ :: else -> skip fi;
#endif
  act[r] = QP(r); cur[r] = t; live[r] = 0; rel[r] = 0; hold[r] = 0
}

#ifdef NO_INC
#define HOLDER_OK(a, t) (NODE(HOLD(t)) == NODE(a))
#else
#define HOLDER_OK(a, t) (HOLD(t) == a)
#endif
#ifdef NO_MONO
#define NEWER(t, r) ((t) != cur[r])
#else
#define NEWER(t, r) ((t) > cur[r])
#endif

/* time passes; a wait or deadline already passed is written as 0 (one state, not many) */
inline tick() {
  d_step {
    now < TMAX -> now++;
    if :: act[0] <= now -> act[0] = 0 :: else -> skip fi;
    if :: act[1] <= now -> act[1] = 0 :: else -> skip fi;
    if :: act[2] <= now -> act[2] = 0 :: else -> skip fi;
    if :: hold[0] <= now -> hold[0] = 0 :: else -> skip fi;
    if :: hold[1] <= now -> hold[1] = 0 :: else -> skip fi;
    if :: hold[2] <= now -> hold[2] = 0 :: else -> skip fi;
    if :: stop[0] <= now -> stop[0] = 0 :: else -> skip fi;
    if :: stop[1] <= now -> stop[1] = 0 :: else -> skip fi;
    CHECK }
}

/* a proposer's grant for term t reaches replica r: accepted only above any term seen */
inline grant(t, r) {
  d_step { t <= TERMS && !recov[r] && NEWER(t, r) -> install(r, t); CHECK }
}

/* agent a sends a request for term t; without BATCHER it goes into a round at once, replacing (losing) the
   agent's round in flight. TL 7 and 0: a confused coordinator may tell an incarnation another one's term. */
inline request(a, t) {
  d_step {
    t <= TERMS && MAY_REQUEST(a, t) && started[a] && !crashed[a] && budget[a] > 0 && NODE(HOLD(t)) == NODE(a) && (ended[a] & BIT(t)) == 0 ->
#if TL == 7
    if :: a == 2 && HOLD(t) == 0 && relPend[0] != 0 -> goal = 1 :: else -> skip fi;
#endif
    budget[a]--;
#ifdef BATCHER
    qS[a] = now; qT[a] = t;
#else
    rS[a] = now; rT[a] = t; rAck[a] = 0; rCnt[a] = 0;
#endif
    CHECK }
}

/* the batcher sends a round: its entries are the requests that arrived before it is sent */
inline sendRound(a) {
  d_step { qS[a] != NONE && rS[a] == NONE -> rS[a] = qS[a]; rT[a] = qT[a]; rAck[a] = 0; rCnt[a] = 0; qS[a] = NONE; qT[a] = 0; CHECK }
}

#ifdef DUPS
#define FRESH(a, r) (rCnt[a] < MAJ)   /* a duplicated ack counts again */
#else
#define FRESH(a, r) ((rAck[a] & BIT(r)) == 0)
#endif

/* replica r handles agent a's round entry, its clock ahead by d: a late grant first (install a term above cur),
   then the renewal rule: the term it holds, the holder's incarnation, not released, past the wait */
inline renew(a, r, d) {
  d_step {
    rS[a] != NONE && FRESH(a, r) && !recov[r] && (NEWER(rT[a], r) || (rT[a] == cur[r] && HOLDER_OK(a, rT[a]) && !rel[r] && now >= act[r])) ->
    if
    :: NEWER(rT[a], r) ->
#if TL == 5
       if :: rT[a] == 2 && r == 2 -> goal = goal | 2 :: else -> skip fi;
#endif
       install(r, rT[a])
    :: else -> skip
    fi;
    if
    :: rT[a] == cur[r] && HOLDER_OK(a, rT[a]) && !rel[r] && now >= act[r] ->
       live[r] = 1; hold[r] = now + TTL(cur[r]) + M - d;
       rAck[a] = rAck[a] | BIT(r); rCnt[a]++
    :: else -> skip
    fi;
    CHECK }
}

#if defined(DUPS)
#define QUORUM(a) (rCnt[a] >= MAJ)
#elif defined(MEMBERS)
#define QUORUM(a) (POP(rAck[a]) >= (NR - down) / 2 + 1)
#else
#define QUORUM(a) (POP(rAck[a]) >= MAJ)
#endif

/* the batcher answers agent a once a majority of configured regions accepted its round */
inline answer(a) {
  d_step {
    rS[a] != NONE && QUORUM(a) ->
#if TL == 6
    if :: qS[a] != NONE && qT[a] == rT[a] -> goal = 1 :: else -> skip fi;
#endif
#if TL == 8
    if :: down > 0 -> goal = 1 :: else -> skip fi;
#endif
    aT[a] = rT[a]; aS[a] = rS[a];
#ifdef JOIN
    /* bug: the request that arrived while the round was in flight is answered by it */
    if :: qS[a] != NONE && qT[a] == rT[a] -> aS[a] = qS[a]; qS[a] = NONE; qT[a] = 0 :: else -> skip fi;
#endif
    rS[a] = NONE; rT[a] = 0; rAck[a] = 0; rCnt[a] = 0; CHECK }
}

/* agent a receives a (maybe late) answer, its clock behind by d: forge until send + TTL - margin (+ d),
   unless the term is over for it */
inline receive(a, d) {
  d_step {
    aS[a] != NONE && !crashed[a] ->
#if TL == 1
    if :: a == 0 && aT[a] == 1 && now < stop[1] -> goal = 1 :: else -> skip fi;
#endif
#if TL == 4
    if :: a == 1 && aT[a] == 3 && aS[a] + TTL(3) - M + d > now -> goal = 1 :: else -> skip fi;
#endif
    if
    :: (ended[a] & BIT(aT[a])) == 0 && aS[a] + TTL(aT[a]) - M + d > now ->
       stop[NODE(a)] = MAX(stop[NODE(a)], aS[a] + TTL(aT[a]) - M + d)
    :: else -> skip
    fi;
    aS[a] = NONE; aT[a] = 0; CHECK }
}

/* agent a disables its node (verified), ends term t for itself, and sends its release */
inline release(a, t) {
  d_step {
    t <= TERMS && MAY_RELEASE(a, t) && started[a] && !crashed[a] && HOLD(t) == a && (ended[a] & BIT(t)) == 0 && relPend[a] == 0 ->
    ended[a] = ended[a] | BIT(t);
    stop[NODE(a)] = 0;
    relPend[a] = 7; relT[a] = t; CHECK }
}

/* replica r receives agent a's release (any time later, any order): applies to its current term and holder only */
inline released(a, r) {
  d_step {
    (relPend[a] & BIT(r)) != 0 ->
    relPend[a] = relPend[a] & ~BIT(r);
    if :: !recov[r] && cur[r] == relT[a] && HOLDER_OK(a, relT[a]) -> rel[r] = 1 :: else -> skip fi;
    if :: relPend[a] == 0 -> relT[a] = 0 :: else -> skip fi;
    CHECK }
}

/* replica r loses its disk */
inline loseDisk(r) {
  d_step {
    !recov[r] && (TL != 5 || r == 1) ->
#if TL == 5
    if :: cur[0] == 2 && cur[2] != 2 -> goal = goal | 1 :: else -> skip fi;
#endif
    recov[r] = 1; cur[r] = 0; live[r] = 0; rel[r] = 0; hold[r] = 0; act[r] = 0; CHECK }
}

/* replica r recovers by copying s1 and s2 (every other replica; RECOVER_ONE: s1 == s2): the highest term, refused
   until the longest wait they report; and, since whatever the lost disk accepted was accepted before now (even a
   renewal whose other ack is still in flight, which no copy shows), until the longest hold from now, its clock
   ahead by d (NO_AMNESIA_WAIT: not) */
inline recover(r, s1, s2, d) {
  d_step {
    recov[r] && !recov[s1] && !recov[s2] ->
    cur[r] = MAX(cur[s1], cur[s2]);
    act[r] = MAX(QP(s1), QP(s2));
#ifndef NO_AMNESIA_WAIT
    act[r] = MAX(act[r], now + TTLMAX + M - d);
#endif
    if :: act[r] <= now -> act[r] = 0 :: else -> skip fi;
    live[r] = 0; rel[r] = 0; hold[r] = 0; recov[r] = 0;
    CHECK }
}

#define AGENTS(X) :: X(0) :: X(1) :: X(2)
#define AGENTS_D(X) :: X(0, D) :: X(1, D) :: X(2, D)
#define AGENT_REPLICA(X) :: X(0, 0) :: X(0, 1) :: X(0, 2) :: X(1, 0) :: X(1, 1) :: X(1, 2) :: X(2, 0) :: X(2, 1) :: X(2, 2)
#define AGENT_REPLICA_D(X) :: X(0, 0, D) :: X(0, 1, D) :: X(0, 2, D) :: X(1, 0, D) :: X(1, 1, D) :: X(1, 2, D) :: X(2, 0, D) :: X(2, 1, D) :: X(2, 2, D)
#define AGENT_TERM(X) :: X(0, 1) :: X(0, 2) :: X(0, 3) :: X(1, 1) :: X(1, 2) :: X(1, 3) :: X(2, 1) :: X(2, 2) :: X(2, 3)
#define TERM_REPLICA(X) :: X(1, 0) :: X(1, 1) :: X(1, 2) :: X(2, 0) :: X(2, 1) :: X(2, 2) :: X(3, 0) :: X(3, 1) :: X(3, 2)

active proctype world() {
  d_step {
    qS[0] = NONE; qS[1] = NONE; qS[2] = NONE;
    rS[0] = NONE; rS[1] = NONE; rS[2] = NONE;
    aS[0] = NONE; aS[1] = NONE; aS[2] = NONE;
    started[0] = 1; started[1] = 1;
    budget[0] = REQS0; budget[1] = REQS; budget[2] = REQS;
#if TL == 1 || TL == 3 || TL == 4 || TL == 6 || TL == 7 || TL == 8
    /* term 1 (node 0) was granted everywhere before the timeline starts */
    cur[0] = 1; cur[1] = 1; cur[2] = 1;
#endif
#if TL == 2
    /* term 1 (node 0) was live everywhere and is released: node 0 is verified off */
    cur[0] = 1; cur[1] = 1; cur[2] = 1; live[0] = 1; live[1] = 1; live[2] = 1; rel[0] = 1; rel[1] = 1; rel[2] = 1;
    ended[0] = BIT(1);
#endif
#if TL == 5
    /* term 2 (node 0) was renewed at time 0 on A and B (node 0 forges); C never heard of it */
    cur[0] = 2; cur[1] = 2; live[0] = 1; live[1] = 1; hold[0] = TTL2 + M; hold[1] = TTL2 + M; stop[0] = TTL2 - M + D;
#endif
  }
end:
  do
  :: tick()
  TERM_REPLICA(grant)
  AGENT_TERM(request)
#ifdef BATCHER
  AGENTS(sendRound)
#endif
  AGENT_REPLICA_D(renew)
  AGENTS(answer)
  AGENTS_D(receive)
#ifdef RELEASES
  AGENT_TERM(release)
  AGENT_REPLICA(released)
#endif
#ifdef CRASHES
  /* agent 0 dies (its fence keeps the deadline); incarnation 2 of node 0 starts */
  :: d_step { !crashed[0] -> crashed[0] = 1; started[2] = 1; qS[0] = NONE; qT[0] = 0; aS[0] = NONE; aT[0] = 0; CHECK }
#endif
#ifdef DISKS
  :: loseDisk(0) :: loseDisk(1) :: loseDisk(2)
#ifdef RECOVER_ONE
  :: recover(0, 1, 1, 1) :: recover(0, 2, 2, 1) :: recover(1, 0, 0, 1) :: recover(1, 2, 2, 1) :: recover(2, 0, 0, 1) :: recover(2, 1, 1, 1)
#else
  :: recover(0, 1, 2, 1) :: recover(1, 0, 2, 1) :: recover(2, 0, 1, 1)
#endif
#endif
#ifdef DOWNING
  /* a coordinator downs unreachable regions: its membership shrinks, the configured regions do not */
  :: d_step { down < NR - 1 -> down++; CHECK }
#endif
  od
}
