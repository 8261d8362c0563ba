// Package journal is the server's write path: one sequencer goroutine
// applies commands to the platform state machine in order, the batches'
// journal rows and read-model rows are written in shared database
// transactions (group commit), and the callers are answered only after
// their transaction is durable.
package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// MaxBatch bounds the commands of one group commit.
const MaxBatch = 1024

// ErrClosed is returned for requests after Close.
var ErrClosed = errors.New("journal: sequencer closed")

// Observer receives the sequencer's measurements (metrics).
type Observer interface {
	Batch(size int, commit time.Duration)
	Applied(kind string, err error)
}

type request struct {
	cmd   platform.Cmd
	actor string
	idem  string
	done  chan reply
}

type reply struct {
	seq    int64
	result json.RawMessage
	err    error
}

// Sequencer owns the platform state.
//
// It runs as a three-stage pipeline: the sequencer goroutine applies
// batches to the state; the committer goroutine writes them into an open
// transaction and commits it whenever the syncer is idle; the syncer makes
// the committed transaction durable (on SQLite, an fsync of the write-ahead
// log). So the state machine, the database's work and the disk flush
// overlap. Answers, including refusals, go out in journal order and only
// after their batch (and every batch before it) is durable. Readers never
// wait for a commit to take the lock; instead Read holds its answer back
// until what it saw is durable.
type Sequencer struct {
	db      *store.DB
	plan    *plan.Plan
	regions platform.Regions
	clock   func() time.Time
	obs     Observer

	mu     sync.RWMutex // held to apply; readers share it
	p      *platform.Platform
	seq    int64  // applied, durable or not
	gen    uint64 // bumped by reload, in the committer goroutine only
	lastAt int64
	idem   *idemKeys
	window time.Duration

	durMu   sync.Mutex
	durable int64         // the last durable seq
	durGen  uint64        // gen of the state durable describes
	durCh   chan struct{} // closed and replaced when durable or gen moves

	in      chan *request
	commits chan *pending
	writes  chan *written
	syncing atomic.Int64  // groups handed to the syncer and not yet answered
	synced  chan struct{} // a wake-up for the committer when syncing drops
	stop    chan struct{}
	closed  chan struct{}
}

// written is a group of batches on its way from the writer to the syncer.
type written struct {
	group []*pending
	last  int64  // the seq of its last journal entry; 0 when it wrote nothing
	gen   uint64 // the state generation it belongs to
	size  int    // journal entries
	start time.Time
}

// pending is an applied batch on its way to the database.
type pending struct {
	reqs    []*request
	replies []reply
	batch   *store.Batch
	gen     uint64 // the state generation it was applied to
}

// Config configures a sequencer.
type Config struct {
	Plan     *plan.Plan       // the initial plan of a new journal
	Regions  platform.Regions // area code checker; nil accepts any well-formed code
	Clock    func() time.Time // time.Now when nil
	Observer Observer         // may be nil
	// IdemWindow is how long an idempotency key is remembered after its
	// first use (DefaultIdemWindow when zero).
	IdemWindow time.Duration
}

// Open loads the journal of db, replays it and starts the sequencer.
func Open(ctx context.Context, db *store.DB, cfg Config) (*Sequencer, error) {
	s := &Sequencer{db: db, plan: cfg.Plan, regions: cfg.Regions, clock: cfg.Clock, obs: cfg.Observer, window: cfg.IdemWindow,
		in: make(chan *request, 4096), commits: make(chan *pending, maxGroup), writes: make(chan *written, maxGroup), synced: make(chan struct{}, 1),
		stop: make(chan struct{}), closed: make(chan struct{}), durCh: make(chan struct{})}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.plan == nil {
		s.plan = plan.Default()
	}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	s.durable = s.seq
	committed := make(chan struct{})
	go s.sync(committed)
	go s.commit()
	go s.run(committed)
	return s, nil
}

// Replay builds a platform from the journal of db, as the sequencer does on
// start, and returns it with the number of entries.
func Replay(ctx context.Context, db *store.DB, p0 *plan.Plan, regions platform.Regions, each func(e store.Entry, p *platform.Platform) error) (*platform.Platform, int64, error) {
	p := platform.New(p0.Clone())
	p.SetRegions(regions)
	var n int64
	err := db.LoadJournal(ctx, func(e store.Entry) error {
		c, err := e.Env.Open()
		if err != nil {
			return fmt.Errorf("journal entry %d: %w", e.Seq, err)
		}
		if _, err := p.Apply(e.Seq, e.Env.At, e.Env.Actor, c); err != nil {
			return fmt.Errorf("journal entry %d (%s) no longer applies: %w", e.Seq, e.Env.Type, err)
		}
		n = e.Seq
		if each != nil {
			return each(e, p)
		}
		p.TakeEffects()
		return nil
	})
	return p, n, err
}

func (s *Sequencer) load(ctx context.Context) error {
	idem := newIdemKeys(s.window)
	var lastAt int64
	p, n, err := Replay(ctx, s.db, s.plan, s.regions, func(e store.Entry, p *platform.Platform) error {
		p.TakeEffects()
		if e.Idem != "" {
			idem.expire(e.Env.At)
			idem.add(e.Idem, json.RawMessage(e.Result), e.Env.At)
		}
		lastAt = e.Env.At
		return nil
	})
	if err != nil {
		return err
	}
	s.p, s.seq, s.lastAt, s.idem = p, n, lastAt, idem
	if n == 0 {
		// A new journal: write the initial plan's read model row.
		return s.db.Commit(ctx, &store.Batch{Rows: rowsOf(s.p, &platform.Effects{Plans: true})})
	}
	return nil
}

// rowsOf returns the read-model rows of p that the effects fx call for.
func rowsOf(p *platform.Platform, fx *platform.Effects) []store.Row {
	out := make([]store.Row, 0, 16+len(fx.Lines)+len(fx.Prices))
	p.Changed(fx, func(t platform.Table, row []any) { out = append(out, store.Row{Table: t, Vals: row}) })
	for _, l := range fx.Lines {
		out = append(out, store.Row{Table: platform.LinesTable,
			Vals: []any{l.Seq, int64(l.N), l.At, l.Account, l.Member, l.Amount, l.Reason, l.Ref}})
	}
	for _, pp := range fx.Prices {
		out = append(out, store.Row{Table: platform.PricesTable, Vals: []any{pp.Seq, pp.At, pp.PoolFen, pp.SupplyUpt}})
	}
	for _, pe := range fx.Periods {
		out = append(out, store.Row{Table: platform.PeriodsTable, Vals: []any{pe}})
	}
	return out
}

// Submit applies c as actor. With an idempotency key, a repeat of an
// accepted request returns the first answer and changes nothing. The answer
// comes after the command is durable.
func (s *Sequencer) Submit(ctx context.Context, actor, idemKey string, c platform.Cmd) (json.RawMessage, error) {
	r := &request{cmd: c, actor: actor, done: make(chan reply, 1)}
	if idemKey != "" {
		r.idem = actor + "|" + idemKey
	}
	select {
	case s.in <- r:
	case <-s.stop:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// Once queued, the command may be applied: wait for its answer even if
	// the caller goes away, so it is never reported lost when it was not.
	rep := <-r.done
	return rep.result, rep.err
}

// Read calls fn with the platform state under the read lock, then waits
// until everything fn could have seen is durable, so no answer built on it
// can be undone by a crash. If a failed commit threw that state away, fn runs
// again on the state reloaded from the journal: fn may run more than once,
// so it must set its results, not add to them. fn must not keep references
// to mutable state after it returns.
func (s *Sequencer) Read(fn func(p *platform.Platform)) {
	s.Guard(func(p *platform.Platform) bool { fn(p); return false }) // every answer waits
}

// Guard runs a check before a command: fn reports whether the request may
// go on. A pass returns at once, without waiting for durability, because
// what follows is a Submit, whose answer goes out only after everything
// applied before it is durable. A refusal is an answer built on what fn saw,
// so Guard holds it back as Read does (and checks again if that state was
// lost). fn may run more than once.
func (s *Sequencer) Guard(fn func(p *platform.Platform) bool) bool {
	for {
		s.mu.RLock()
		ok := fn(s.p)
		seen, gen := s.seq, s.gen
		s.mu.RUnlock()
		if ok || s.waitDurable(seen, gen) {
			return ok
		}
	}
}

// waitDurable waits until seq is durable in generation gen, and reports
// false if that generation was discarded first.
func (s *Sequencer) waitDurable(seq int64, gen uint64) bool {
	for {
		s.durMu.Lock()
		ok, lost, ch := s.durable >= seq && s.durGen == gen, s.durGen != gen, s.durCh
		s.durMu.Unlock()
		if ok {
			return true
		}
		if lost {
			return false
		}
		<-ch
	}
}

func (s *Sequencer) setDurable(seq int64, gen uint64) {
	s.durMu.Lock()
	if gen < s.durGen || gen == s.durGen && seq <= s.durable {
		// A batch of a discarded generation, synced after the reload
		// that replaced it (and already made it durable).
		s.durMu.Unlock()
		return
	}
	s.durable, s.durGen = seq, gen
	close(s.durCh)
	s.durCh = make(chan struct{})
	s.durMu.Unlock()
}

// Seq returns the number of durable journaled commands.
func (s *Sequencer) Seq() int64 {
	s.durMu.Lock()
	defer s.durMu.Unlock()
	return s.durable
}

// Close stops the sequencer after the batch in flight.
func (s *Sequencer) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.closed
}

func (s *Sequencer) run(committed <-chan struct{}) {
	defer func() {
		close(s.commits)
		<-committed
		close(s.closed)
	}()
	for {
		var batch []*request
		select {
		case <-s.stop:
			s.drain()
			return
		case r := <-s.in:
			batch = append(make([]*request, 0, 64), r)
		}
	more:
		for len(batch) < MaxBatch {
			select {
			case r := <-s.in:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.commits <- s.apply(batch)
	}
}

// drain refuses what is still queued at close.
func (s *Sequencer) drain() {
	for {
		select {
		case r := <-s.in:
			r.done <- reply{err: ErrClosed}
		default:
			return
		}
	}
}

// apply runs a batch through the state machine and collects what it wrote.
func (s *Sequencer) apply(batch []*request) *pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := &pending{reqs: batch, replies: make([]reply, len(batch)), batch: &store.Batch{}, gen: s.gen}
	b := pd.batch
	for i, r := range batch {
		at := s.clock().UnixMilli()
		if at < s.lastAt {
			at = s.lastAt // the journal's time never runs backwards
		}
		if r.idem != "" {
			s.idem.expire(at)
			// The first answer, durable or in a batch ahead of this one
			// (answers go out in order, so it is durable before this one is).
			if res, ok := s.idem.get(r.idem); ok {
				pd.replies[i] = reply{result: res}
				continue
			}
		}
		res, err := s.p.Apply(s.seq+1, at, r.actor, r.cmd)
		if s.obs != nil {
			s.obs.Applied(r.cmd.Kind(), err)
		}
		if err != nil {
			var pe *platform.Error
			if !errors.As(err, &pe) {
				// Not a rejection: the state may be half-changed. Stop
				// rather than journal or serve it.
				slog.Error("state machine failure; stopping", "cmd", r.cmd.Kind(), "err", err)
				panic(fmt.Sprintf("journal: apply %s: %v", r.cmd.Kind(), err))
			}
			pd.replies[i] = reply{err: err}
			continue
		}
		env, err := platform.Seal(r.cmd, at, r.actor)
		if err != nil {
			panic(err)
		}
		result, _ := json.Marshal(res)
		s.seq++
		s.lastAt = at
		b.Entries = append(b.Entries, store.Entry{Seq: s.seq, Env: env, Idem: r.idem, Result: string(result)})
		pd.replies[i] = reply{seq: s.seq, result: result}
		if r.idem != "" {
			s.idem.add(r.idem, result, at)
		}
	}
	if len(b.Entries) > 0 {
		fx := s.p.TakeEffects()
		b.Rows = rowsOf(s.p, &fx)
	}
	return pd
}

// commit writes the applied batches in order into an open transaction and
// commits it whenever the syncer is idle, handing it over to be made
// durable. So the statements of the next transaction run while the last one
// is being synced, and one commit carries whatever arrived meanwhile.
func (s *Sequencer) commit() {
	defer close(s.writes)
	var tx *store.WriteTx
	var cur *written // the groups in tx
	in := s.commits
	for {
		if cur != nil && s.syncing.Load() == 0 {
			if err := tx.Commit(context.Background()); err != nil {
				s.failed(cur, err)
			} else {
				cur.last = lastSeq(cur.group)
				s.handOver(cur)
			}
			tx, cur = nil, nil
		}
		if in == nil && cur == nil {
			return
		}
		select {
		case pd, ok := <-in:
			if !ok {
				in = nil
				continue
			}
			group := append(make([]*pending, 0, 8), pd)
		more:
			for len(group) < maxGroup {
				select {
				case pd, ok := <-in:
					if !ok {
						in = nil
						break more
					}
					group = append(group, pd)
				default:
					break more
				}
			}
			tx, cur = s.add(tx, cur, group)
		case <-s.synced:
		}
	}
}

// maxGroup bounds the applied batches the committer takes in one round (and
// sizes the queues between the stages).
const maxGroup = 64

// add writes group into tx, opening it if need be. Batches applied to a
// state that a failed write has since discarded are refused.
func (s *Sequencer) add(tx *store.WriteTx, cur *written, group []*pending) (*store.WriteTx, *written) {
	// Only this goroutine changes gen (reload, from failed), so it reads it
	// without the state lock, which the apply goroutine holds for a whole
	// batch.
	gen := s.gen
	var live []*store.Batch
	for _, pd := range group {
		if pd.gen != gen {
			pd.fail(errors.New("journal: an earlier write failed"))
			continue
		}
		if len(pd.batch.Entries) > 0 {
			live = append(live, pd.batch)
		}
	}
	if len(live) == 0 && cur == nil {
		// Nothing to write: answer after what is ahead of it.
		s.handOver(&written{group: group})
		return nil, nil
	}
	if cur == nil {
		cur = &written{gen: gen, start: time.Now()}
	}
	cur.group = append(cur.group, group...)
	if len(live) == 0 {
		return tx, cur
	}
	var err error
	if tx == nil {
		tx, err = s.db.Begin(context.Background())
	}
	if err == nil {
		for _, b := range live {
			cur.size += len(b.Entries)
			if err = tx.Add(context.Background(), b); err != nil {
				tx.Rollback()
				break
			}
		}
	}
	if err != nil {
		s.failed(cur, err)
		return nil, nil
	}
	return tx, cur
}

// failed refuses the groups of a write that did not happen and hands them
// to the syncer to be answered in order. The in-memory state is ahead of
// the journal: it is rebuilt from what was written, and every batch applied
// after these is refused too.
func (s *Sequencer) failed(w *written, err error) {
	slog.Error("group commit failed; reloading from the journal", "err", err)
	s.reload(err)
	for _, pd := range w.group {
		if pd.gen == w.gen {
			pd.fail(err)
		}
	}
	s.handOver(w)
}

func lastSeq(group []*pending) int64 {
	for i := len(group) - 1; i >= 0; i-- {
		if e := group[i].batch.Entries; len(e) > 0 {
			return e[len(e)-1].Seq
		}
	}
	return 0
}

// handOver passes w to the syncer.
func (s *Sequencer) handOver(w *written) {
	s.syncing.Add(1)
	s.writes <- w
}

// sync makes written groups durable and answers their requests in journal
// order.
func (s *Sequencer) sync(done chan<- struct{}) {
	defer close(done)
	for w := range s.writes {
		if w.last > 0 {
			if err := s.db.Sync(); err != nil {
				// After a failed fsync the disk's state is unknown: stop,
				// unanswered, and let a restart recover what is on disk.
				slog.Error("journal sync failed; stopping", "err", err)
				panic(fmt.Sprintf("journal: %v", err))
			}
			s.setDurable(w.last, w.gen)
			if s.obs != nil {
				s.obs.Batch(w.size, time.Since(w.start))
			}
		}
		// Wake the committer before the requests: goroutines run in the
		// order they were woken, and the committer, waiting to commit what
		// it wrote meanwhile, is the one everything else waits for.
		s.syncing.Add(-1)
		select {
		case s.synced <- struct{}{}:
		default: // a wake-up is already waiting
		}
		for _, pd := range w.group {
			for i, r := range pd.reqs {
				r.done <- pd.replies[i]
			}
		}
	}
}

func (pd *pending) fail(err error) {
	for i := range pd.replies {
		pd.replies[i] = reply{err: fmt.Errorf("journal: not saved, retry: %w", err)}
	}
}

// reload replaces the state with the journal's after a failed commit.
func (s *Sequencer) reload(cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The journal about to be loaded holds every batch written before the
	// failed one, some perhaps not synced yet: make them durable first, so
	// the reloaded state may be served at once.
	if err := s.db.Sync(); err != nil {
		panic(fmt.Sprintf("journal: reload after failed commit: %v (commit: %v)", err, cause))
	}
	if err := s.load(context.Background()); err != nil {
		panic(fmt.Sprintf("journal: reload after failed commit: %v (commit: %v)", err, cause))
	}
	s.gen++
	s.setDurable(s.seq, s.gen)
}
