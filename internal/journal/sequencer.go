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
type Sequencer struct {
	db      *store.DB
	plan    *plan.Plan
	regions platform.Regions
	clock   func() time.Time
	obs     Observer

	mu     sync.RWMutex // held to write during apply+commit; readers share it
	p      *platform.Platform
	seq    int64
	lastAt int64
	idem   map[string]json.RawMessage // "<actor>|<key>" → first answer

	in     chan *request
	stop   chan struct{}
	closed chan struct{}
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
		in: make(chan *request, 4096), stop: make(chan struct{}), closed: make(chan struct{})}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.plan == nil {
		s.plan = plan.Default()
	}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	go s.run()
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
		return s.db.Commit(ctx, s.rows(&platform.Effects{Plans: true}))
	}
	return nil
}

func (s *Sequencer) rows(fx *platform.Effects) *store.Batch {
	b := &store.Batch{}
	s.p.Changed(fx, func(t platform.Table, row []any) { b.Rows = append(b.Rows, store.Row{Table: t, Vals: row}) })
	for _, l := range fx.Lines {
		b.Rows = append(b.Rows, store.Row{Table: platform.LinesTable,
			Vals: []any{l.Seq, int64(l.N), l.At, l.Account, l.Member, l.Amount, l.Reason, l.Ref}})
	}
	for _, pp := range fx.Prices {
		b.Rows = append(b.Rows, store.Row{Table: platform.PricesTable, Vals: []any{pp.Seq, pp.At, pp.PoolFen, pp.SupplyUpt}})
	}
	for _, pe := range fx.Periods {
		b.Rows = append(b.Rows, store.Row{Table: platform.PeriodsTable, Vals: []any{pe}})
	}
	return b
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

// Read calls fn with the platform state under the read lock. fn must not
// keep references to mutable state after it returns.
func (s *Sequencer) Read(fn func(p *platform.Platform)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(s.p)
}

// Seq returns the number of journaled commands.
func (s *Sequencer) Seq() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seq
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

func (s *Sequencer) run() {
	defer close(s.closed)
	batch := make([]*request, 0, MaxBatch)
	for {
		select {
		case <-s.stop:
			s.drain()
			return
		case r := <-s.in:
			batch = append(batch[:0], r)
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
		s.process(batch)
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

func (s *Sequencer) process(batch []*request) {
	s.mu.Lock()
	replies := make([]reply, len(batch))
	b := &store.Batch{}
	pending := map[string]int{} // idempotency keys first seen in this batch
	first := s.seq
	for i, r := range batch {
		if r.idem != "" {
			if res, ok := s.idem[r.idem]; ok {
				replies[i] = reply{result: res}
				continue
			}
			if j, ok := pending[r.idem]; ok {
				replies[i] = reply{seq: -1 - int64(j)} // answered like request j, below
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
				s.mu.Unlock()
				slog.Error("state machine failure; stopping", "cmd", r.cmd.Kind(), "err", err)
				panic(fmt.Sprintf("journal: apply %s: %v", r.cmd.Kind(), err))
			}
			replies[i] = reply{err: err}
			continue
		}
		env, err := platform.Seal(r.cmd, at, r.actor)
		if err != nil {
			s.mu.Unlock()
			panic(err)
		}
		result, _ := json.Marshal(res)
		s.seq++
		s.lastAt = at
		b.Entries = append(b.Entries, store.Entry{Seq: s.seq, Env: env, Idem: r.idem, Result: string(result)})
		replies[i] = reply{seq: s.seq, result: result}
		if r.idem != "" {
			pending[r.idem] = i
		}
	}
	if len(b.Entries) > 0 {
		fx := s.p.TakeEffects()
		rows := s.rows(&fx)
		b.Rows = rows.Rows
		start := time.Now()
		err := s.db.Commit(context.Background(), b)
		if s.obs != nil {
			s.obs.Batch(len(b.Entries), time.Since(start))
		}
		if err != nil {
			// The commit failed: the in-memory state is ahead of the
			// journal. Rebuild it from what is durable and refuse the batch.
			slog.Error("group commit failed; reloading from the journal", "err", err, "from", first+1)
			if lerr := s.load(context.Background()); lerr != nil {
				s.mu.Unlock()
				panic(fmt.Sprintf("journal: reload after failed commit: %v (commit: %v)", lerr, err))
			}
			for i := range replies {
				if replies[i].err == nil {
					replies[i] = reply{err: fmt.Errorf("journal: not saved, retry: %w", err)}
				}
			}
		} else {
			for _, e := range b.Entries {
				if e.Idem != "" {
					s.idem[e.Idem] = json.RawMessage(e.Result)
				}
			}
		}
	}
	s.mu.Unlock()
	for i, r := range batch {
		rep := replies[i]
		if rep.seq < 0 {
			rep = replies[-1-rep.seq]
		}
		r.done <- rep
	}
}
