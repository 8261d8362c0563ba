// Package journal is the server's write path: one sequencer goroutine
// applies commands to the platform state machine in order, writes each
// batch's journal rows and read-model rows in one database transaction
// (group commit), and answers the callers only after that commit.
package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
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
// It runs as a two-stage pipeline: the sequencer goroutine applies batch N+1
// to the state while the committer goroutine writes batch N, so the database
// round trip and the state machine overlap. Answers, including refusals, go
// out in journal order and only after their batch (and every batch before
// it) is durable. Readers never wait for a commit to take the lock; instead
// Read holds its answer back until what it saw is durable.
type Sequencer struct {
	db      *store.DB
	plan    *plan.Plan
	regions platform.Regions
	clock   func() time.Time
	obs     Observer

	mu     sync.RWMutex // held to apply; readers share it
	p      *platform.Platform
	seq    int64 // applied, durable or not
	gen    uint64
	lastAt int64
	idem   map[string]json.RawMessage // "<actor>|<key>" → first answer

	durMu   sync.Mutex
	durable int64         // the last durable seq
	durGen  uint64        // gen of the state durable describes
	durCh   chan struct{} // closed and replaced when durable or gen moves

	in      chan *request
	commits chan *pending
	stop    chan struct{}
	closed  chan struct{}
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
}

// Open loads the journal of db, replays it and starts the sequencer.
func Open(ctx context.Context, db *store.DB, cfg Config) (*Sequencer, error) {
	s := &Sequencer{db: db, plan: cfg.Plan, regions: cfg.Regions, clock: cfg.Clock, obs: cfg.Observer,
		in: make(chan *request, 4096), commits: make(chan *pending, maxGroup),
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
	go s.commit(committed)
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
	idem := map[string]json.RawMessage{}
	var lastAt int64
	p, n, err := Replay(ctx, s.db, s.plan, s.regions, func(e store.Entry, p *platform.Platform) error {
		p.TakeEffects()
		if e.Idem != "" {
			idem[e.Idem] = json.RawMessage(e.Result)
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
		return s.db.Commit(ctx, &store.Batch{Rows: s.rows(&platform.Effects{Plans: true})})
	}
	return nil
}

// rows returns the read-model rows the effects fx call for.
func (s *Sequencer) rows(fx *platform.Effects) []store.Row {
	var out []store.Row
	s.p.Changed(fx, func(t platform.Table, row []any) { out = append(out, store.Row{Table: t, Vals: row}) })
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
		if r.idem != "" {
			// The first answer, durable or in a batch ahead of this one
			// (answers go out in order, so it is durable before this one is).
			if res, ok := s.idem[r.idem]; ok {
				pd.replies[i] = reply{result: res}
				continue
			}
		}
		at := s.clock().UnixMilli()
		if at < s.lastAt {
			at = s.lastAt // the journal's time never runs backwards
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
			s.idem[r.idem] = result
		}
	}
	if len(b.Entries) > 0 {
		fx := s.p.TakeEffects()
		b.Rows = s.rows(&fx)
	}
	return pd
}

// commit writes the applied batches in order and answers their requests.
// Whatever batches queued up while the last commit ran go into the next
// transaction together, so the commit size follows the load.
func (s *Sequencer) commit(done chan<- struct{}) {
	defer close(done)
	for pd := range s.commits {
		group := append(make([]*pending, 0, 8), pd)
	more:
		for len(group) < maxGroup {
			select {
			case pd, ok := <-s.commits:
				if !ok {
					break more
				}
				group = append(group, pd)
			default:
				break more
			}
		}
		s.commitGroup(group)
	}
}

// maxGroup bounds the batches merged into one transaction.
const maxGroup = 64

func (s *Sequencer) commitGroup(group []*pending) {
	gen := s.genNow()
	var live []*pending
	for _, pd := range group {
		if pd.gen != gen {
			// Applied on top of a batch whose commit failed: that state is gone.
			pd.fail(errors.New("journal: an earlier write failed"))
			continue
		}
		live = append(live, pd)
	}
	b := mergeBatches(live)
	if len(b.Entries) > 0 {
		start := time.Now()
		err := s.db.Commit(context.Background(), b)
		if s.obs != nil {
			s.obs.Batch(len(b.Entries), time.Since(start))
		}
		if err != nil {
			// The in-memory state is ahead of the journal. Rebuild it from
			// what is durable and refuse these batches and every batch
			// applied after them.
			slog.Error("group commit failed; reloading from the journal", "err", err, "from", b.Entries[0].Seq)
			s.reload(err)
			for _, pd := range live {
				pd.fail(err)
			}
			live = nil
		} else {
			s.setDurable(b.Entries[len(b.Entries)-1].Seq, gen)
		}
	}
	for _, pd := range group {
		for i, r := range pd.reqs {
			r.done <- pd.replies[i]
		}
	}
}

func (pd *pending) fail(err error) {
	for i := range pd.replies {
		pd.replies[i] = reply{err: fmt.Errorf("journal: not saved, retry: %w", err)}
	}
}

// mergeBatches joins batches into one, keeping only the last version of a
// read-model row written more than once.
func mergeBatches(group []*pending) *store.Batch {
	if len(group) == 1 {
		return group[0].batch
	}
	out := &store.Batch{}
	at := map[string]int{}
	var key []byte
	for _, pd := range group {
		out.Entries = append(out.Entries, pd.batch.Entries...)
		for _, r := range pd.batch.Rows {
			key = append(key[:0], r.Table.Name...)
			for _, v := range r.Vals[:r.Table.Key] {
				key = append(key, 0)
				switch v := v.(type) {
				case string:
					key = append(key, v...)
				case int64:
					key = strconv.AppendInt(key, v, 10)
				default:
					key = fmt.Append(key, v)
				}
			}
			if i, ok := at[string(key)]; ok {
				out.Rows[i] = r
				continue
			}
			at[string(key)] = len(out.Rows)
			out.Rows = append(out.Rows, r)
		}
	}
	return out
}

func (s *Sequencer) genNow() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen
}

// reload replaces the state with the journal's after a failed commit.
func (s *Sequencer) reload(cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(context.Background()); err != nil {
		panic(fmt.Sprintf("journal: reload after failed commit: %v (commit: %v)", err, cause))
	}
	s.gen++
	s.setDurable(s.seq, s.gen)
}
