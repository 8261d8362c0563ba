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
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(b))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
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
// clients register members and rename them concurrently, restarts it, and
// checks that every acknowledged request is there, nothing else is, and
// verify passes.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	planFile := filepath.Join(data, "plan.yaml")
	os.WriteFile(planFile, []byte("invite_requires_active: false\n"), 0o644)

	type attempt struct {
		name  string
		acked bool
	}
	var mu sync.Mutex
	registered := map[string]string{} // phone → member id, acknowledged
	tried := map[string]bool{}        // every phone sent
	renames := map[string][]attempt{} // member id → names sent, in order
	var rootCode string
	phone := int64(13100000000)

	for round := 0; round < 4; round++ {
		s := startServer(t, bin, "--data", data, "--plan", planFile)
		if round == 0 {
			st, m, err := post(s.addr, "/api/members/register", "", map[string]any{"phone": "13099999999", "password": "password1"})
			if err != nil || st != 201 {
				t.Fatalf("root: %d %v %v", st, m, err)
			}
			rootCode = m["invite_code"].(string)
			registered["13099999999"] = m["id"].(string)
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
				}
			}()
		}
		// Kill at a random moment once this round has had some load, so a
		// busy machine (slow argon2id) still exercises every round.
		mu.Lock()
		before := len(registered)
		mu.Unlock()
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			n := len(registered)
			mu.Unlock()
			if n-before >= 6 {
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
	s := startServer(t, bin, "--data", data, "--plan", planFile)
	res, err := http.Get("http://" + s.addr + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz after recovery: %v %v", res, err)
	}
	res.Body.Close()
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()

	db, err := store.Open(context.Background(), filepath.Join(data, "greenmall.db"))
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
	out, err := exec.Command(bin, "verify", "--data", data, "--plan", planFile).CombinedOutput()
	if err != nil {
		t.Fatalf("verify after crashes: %v\n%s", err, out)
	}
	t.Logf("%d registrations acknowledged over 4 SIGKILLs; %s", len(registered), strings.TrimSpace(string(out)))
}
