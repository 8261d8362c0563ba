package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// buildBinary builds greenmall once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "greenmall-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "greenmall")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// server is a running greenmall serve process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	stdout *bytes.Buffer
}

func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	var out bytes.Buffer
	pr, pw, _ := os.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		closed := false
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if !closed && strings.Contains(sc.Text(), "serving on") {
				close(ready)
				closed = true
			}
		}
		if !closed {
			close(ready)
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start")
	}
	s := &server{cmd: cmd, addr: addr, stdout: &out}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return s
}

func post(addr, path, token string, body any) (int, map[string]any, error) {
	return postIdem(addr, path, token, "", body)
}

// postIdem is post with an Idempotency-Key (none when key is "").
func postIdem(addr, path, token, key string, body any) (int, map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(b))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m) //nolint:errcheck
	return res.StatusCode, m, nil
}

// TestCrashSafety kills the server with SIGKILL at random moments while
// clients register members, rename them, top their wallets up through the
// sandbox gateway, and buy, pay and pick up orders concurrently; restarts
// it; and checks that every acknowledged request is there, nothing else
// is, and verify (ledger balanced, every table as the journal says) passes.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("sqlite", func(t *testing.T) {
		data := t.TempDir()
		crashSafety(t, bin, data, filepath.Join(data, "greenmall.db"))
	})
	if dsn := os.Getenv("GREENMALL_TEST_PG"); dsn != "" {
		t.Run("postgres", func(t *testing.T) {
			schema := store.TestPGSchema(t, dsn)
			crashSafety(t, bin, t.TempDir(), schema, "--db", schema)
		})
	}
}

// crashSafety runs the crash test on the store at dsn, which the server
// opens with the arguments where (its data folder, for keys and the plan, is data).
func crashSafety(t *testing.T, bin, data, dsn string, where ...string) {
	planFile := writeFile(t, data, "plan.yaml", "invite_requires_active: false\nplatform:\n  return_window_days: 0\n")
	args := append([]string{"--data", data, "--plan", planFile}, where...)

	type attempt struct {
		name  string
		acked bool
	}
	var mu sync.Mutex
	registered := map[string]string{} // phone → member id, acknowledged
	tried := map[string]bool{}        // every phone sent
	renames := map[string][]attempt{} // member id → names sent, in order
	intents := map[string]bool{}      // top-up intent → acknowledged
	orders := map[string]string{}     // order → furthest acknowledged step: created, paid, picked
	var rootCode, rootToken, product, point string
	creates, picks := 0, 0 // order placements sent, pickups acknowledged
	phone := int64(13100000000)

	// buy tops a wallet up through the sandbox gateway, then places an
	// order, pays it from the wallet and has the root pick it up (which
	// settles it: the test plan has no return window).
	buy := func(addr, tok string) {
		st, m, err := post(addr, "/api/wallet/topups", tok, map[string]any{"amount_fen": 10000})
		if err != nil || st != 201 {
			return
		}
		intent := m["intent"].(string)
		mu.Lock()
		intents[intent] = false
		mu.Unlock()
		res, err := http.Post(m["payment_url"].(string), "application/x-www-form-urlencoded", nil)
		if err != nil {
			return
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			return
		}
		mu.Lock()
		intents[intent] = true
		mu.Unlock()
		mu.Lock()
		creates++
		mu.Unlock()
		st, m, err = post(addr, "/api/orders", tok, map[string]any{"items": []map[string]any{{"product": product, "qty": 1}}, "pickup": point})
		if err != nil || st != 201 {
			return
		}
		id, code := m["id"].(string), m["pickup_code"].(string)
		mu.Lock()
		orders[id] = "created"
		mu.Unlock()
		if st, _, err := postIdem(addr, "/api/orders/"+id+"/pay", tok, "pay-"+id, map[string]any{"method": "wallet"}); err != nil || st != 200 {
			return
		}
		mu.Lock()
		orders[id] = "paid"
		mu.Unlock()
		if st, _, err := postIdem(addr, "/api/staff/pickup", rootToken, "pick-"+id, map[string]any{"order": id, "code": code}); err != nil || st != 200 {
			return
		}
		mu.Lock()
		orders[id] = "picked"
		picks++
		mu.Unlock()
	}

	for round := 0; round < 4; round++ {
		s := startServer(t, bin, args...)
		if round == 0 {
			st, m, err := post(s.addr, "/api/members/register", "", map[string]any{"phone": "13099999999", "password": "password1"})
			if err != nil || st != 201 {
				t.Fatalf("root: %d %v %v", st, m, err)
			}
			rootCode, rootToken = m["invite_code"].(string), m["token"].(string)
			registered["13099999999"] = m["id"].(string)
			// The first operator's password is printed once; with it, a
			// product and a service point run by the root member.
			_, pw, _ := strings.Cut(s.stdout.String(), "password: ")
			pw, _, _ = strings.Cut(pw, "\n")
			st, m, err = post(s.addr, "/api/operators/login", "", map[string]any{"login": "admin", "password": strings.TrimSpace(pw)})
			if err != nil || st != 200 {
				t.Fatalf("operator login: %d %v %v", st, m, err)
			}
			op := m["token"].(string)
			st, m, _ = post(s.addr, "/api/admin/products", op, map[string]any{"name": "礼包", "price_fen": 10000, "stock": 1_000_000, "profile": "gift", "gift": true, "active": true})
			if st != 201 {
				t.Fatalf("product: %d %v", st, m)
			}
			product = m["id"].(string)
			st, m, _ = post(s.addr, "/api/admin/service-points", op, map[string]any{"name": "一号店", "owner": registered["13099999999"], "region": "110101"})
			if st != 201 {
				t.Fatalf("service point: %d %v", st, m)
			}
			point = m["id"].(string)
			if st, m, _ = postIdem(s.addr, "/api/admin/service-points/"+point+"/stock", op, "stock", map[string]any{"product": product, "qty": 100_000}); st != 200 {
				t.Fatalf("stock: %d %v", st, m)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					mu.Lock()
					phone++
					ph := fmt.Sprint(phone)
					tried[ph] = true
					mu.Unlock()
					st, m, err := post(s.addr, "/api/members/register", "", map[string]any{"phone": ph, "password": "password1", "invite_code": rootCode})
					if err != nil || st != 201 {
						continue // not acknowledged: may or may not be there
					}
					id, tok := m["id"].(string), m["token"].(string)
					mu.Lock()
					registered[ph] = id
					mu.Unlock()
					name := "n" + ph
					mu.Lock()
					renames[id] = append(renames[id], attempt{name: name})
					k := len(renames[id]) - 1
					mu.Unlock()
					req, _ := http.NewRequest("PATCH", "http://"+s.addr+"/api/me", strings.NewReader(`{"name":"`+name+`"}`))
					req.Header.Set("Authorization", "Bearer "+tok)
					if res, err := http.DefaultClient.Do(req); err == nil {
						if res.StatusCode == 200 {
							mu.Lock()
							renames[id][k].acked = true
							mu.Unlock()
						}
						res.Body.Close()
					}
					buy(s.addr, tok)
				}
			}()
		}
		// Kill at a random moment once this round has had some load, so a
		// busy machine (slow argon2id) still exercises every round.
		mu.Lock()
		before, picksBefore := len(registered), picks
		mu.Unlock()
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			n, p := len(registered), picks
			mu.Unlock()
			if n-before >= 6 && p-picksBefore >= 3 {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(700)) * time.Millisecond)
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
		cancel()
		wg.Wait()
	}
	// Restart once more: recovery must succeed; then stop cleanly.
	s := startServer(t, bin, args...)
	res, err := http.Get("http://" + s.addr + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz after recovery: %v %v", res, err)
	}
	res.Body.Close()
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()

	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.ReadTable(context.Background(), platform.MembersTable)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string][]any{}
	for _, r := range rows {
		have[r[1].(string)] = r // by phone
	}
	if len(registered) < 20 {
		t.Fatalf("only %d registrations acknowledged: the load did not run", len(registered))
	}
	for ph, id := range registered {
		r, ok := have[ph]
		if !ok || r[0].(string) != id {
			t.Fatalf("acknowledged registration %s (%s) lost after SIGKILL", ph, id)
		}
		// The name is the last acknowledged rename, or a later unacknowledged one.
		atts := renames[id]
		name := r[2].(string)
		last := -1
		for i, a := range atts {
			if a.acked {
				last = i
			}
		}
		okName := last == -1 && name == ""
		for i := max(last, 0); i < len(atts); i++ {
			okName = okName || name == atts[i].name
		}
		if !okName {
			t.Fatalf("member %s: name %q, acknowledged renames %+v", id, name, atts)
		}
	}
	for ph := range have {
		if !tried[ph] && ph != "13099999999" {
			t.Fatalf("member with phone %s appeared from nowhere", ph)
		}
	}
	// Money: every acknowledged top-up is in the journal, and no top-up is
	// there that no client asked for; every acknowledged payment and pickup
	// holds, and every order in the store was placed by a client.
	paidIntents := map[string]bool{}
	err = db.LoadJournal(context.Background(), func(e store.Entry) error {
		if e.Env.Type == "wallet.topup" {
			var c platform.WalletTopUp
			if err := json.Unmarshal(e.Env.Data, &c); err != nil {
				return err
			}
			paidIntents[c.Intent] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ackedTopUps, ackedPicks := 0, 0
	for intent, acked := range intents {
		if acked && !paidIntents[intent] {
			t.Fatalf("acknowledged top-up %s lost after SIGKILL", intent)
		}
		if acked {
			ackedTopUps++
		}
	}
	for intent := range paidIntents {
		if _, sent := intents[intent]; !sent {
			t.Fatalf("top-up %s appeared from nowhere", intent)
		}
	}
	orderRows, err := db.ReadTable(context.Background(), platform.OrdersTable)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range orderRows {
		status[r[0].(string)] = r[2].(string)
	}
	for id, step := range orders {
		st, ok := status[id]
		switch {
		case !ok:
			t.Fatalf("acknowledged order %s lost after SIGKILL", id)
		case step == "paid" && st == platform.StatusPending:
			t.Fatalf("order %s: payment acknowledged, status %s", id, st)
		case step == "picked" && st != platform.StatusSettled:
			t.Fatalf("order %s: pickup acknowledged, status %s", id, st)
		}
		if step == "picked" {
			ackedPicks++
		}
	}
	// An order whose answer was lost may be there; no more orders than
	// were asked for.
	if len(status) > creates {
		t.Fatalf("%d orders in the store, %d placements sent", len(status), creates)
	}
	if ackedTopUps < 10 || ackedPicks < 10 {
		t.Fatalf("only %d top-ups and %d pickups acknowledged: the money load did not run", ackedTopUps, ackedPicks)
	}
	out, err := exec.Command(bin, append([]string{"verify"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("verify after crashes: %v\n%s", err, out)
	}
	t.Logf("%d registrations, %d top-ups and %d settled pickups acknowledged over 4 SIGKILLs; %s",
		len(registered), ackedTopUps, ackedPicks, strings.TrimSpace(string(out)))
}
