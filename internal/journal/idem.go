package journal

import (
	"encoding/json"
	"time"
)

// DefaultIdemWindow is how long an idempotency key is remembered when the
// configuration does not say: a day, as payment APIs commonly keep theirs.
const DefaultIdemWindow = 24 * time.Hour

// idemKeys holds the first answer to each idempotency key ("<actor>|<key>")
// for a window of journal time after its first use. Without the window the
// map would grow with every keyed request for the life of the platform
// (about half a kilobyte each, two per order). A key repeated after its
// window is a new request.
type idemKeys struct {
	window int64 // milliseconds
	first  map[string]idemAnswer
	order  []idemUse // first uses in journal order, oldest first
}

type idemAnswer struct {
	result json.RawMessage
	at     int64 // journal time of the first use, Unix ms
}

type idemUse struct {
	at  int64
	key string
}

func newIdemKeys(window time.Duration) *idemKeys {
	if window <= 0 {
		window = DefaultIdemWindow
	}
	return &idemKeys{window: window.Milliseconds(), first: map[string]idemAnswer{}}
}

// get returns the first answer to key, if it is remembered.
func (k *idemKeys) get(key string) (json.RawMessage, bool) {
	a, ok := k.first[key]
	return a.result, ok
}

// add remembers result as the answer to key, first used at at, unless key
// already has one.
func (k *idemKeys) add(key string, result json.RawMessage, at int64) {
	if _, ok := k.first[key]; ok {
		return
	}
	k.first[key] = idemAnswer{result: result, at: at}
	k.order = append(k.order, idemUse{at: at, key: key})
}

// expire forgets the keys first used a window or more before now.
func (k *idemKeys) expire(now int64) {
	for len(k.order) > 0 && k.order[0].at <= now-k.window {
		u := k.order[0]
		if a, ok := k.first[u.key]; ok && a.at == u.at {
			delete(k.first, u.key)
		}
		k.order[0] = idemUse{} // let the key's memory go
		k.order = k.order[1:]
	}
}
