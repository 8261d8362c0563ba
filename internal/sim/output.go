package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/greenmall/greenmall/internal/money"
)

// SummaryJSON returns summary.json's bytes.
func (r *Run) SummaryJSON() ([]byte, error) {
	b, err := json.MarshalIndent(r.Summary, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("sim: summary: %w", err)
	}
	return append(b, '\n'), nil
}

// WriteData writes summary.json, timeseries.csv and members.csv into dir.
func (r *Run) WriteData(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sum, err := r.SummaryJSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), sum, 0o644); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "timeseries.csv"), r.WriteTimeseries); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "members.csv"), r.WriteMembers)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = write(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sim: %s: %w", path, err)
	}
	return nil
}

// WriteTimeseries writes timeseries.csv: one row per day.
func (r *Run) WriteTimeseries(w io.Writer) error {
	head := "day,members,agents,bosses,joins,orders,gmv_fen,pool_fen,supply_upt,price_yuan_per_point,holders"
	for _, k := range RewardKindNames {
		head += ",payout_" + k + "_fen"
	}
	head += ",points_cashed_fen,sells,exits,withdrawn_fen,panic\n"
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	var b []byte
	for i := range r.Days {
		d := &r.Days[i]
		b = b[:0]
		b = strconv.AppendInt(b, int64(d.Day), 10)
		for _, v := range []int64{d.Members, d.Agents, d.Bosses, d.Joins, d.Orders, d.GMVFen, d.PoolFen, d.SupplyUpt} {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, ',')
		b = append(b, money.FormatYuanPerPoint(d.PoolFen, d.SupplyUpt)...)
		b = append(b, ',')
		b = strconv.AppendInt(b, d.Holders, 10)
		for _, v := range d.Payouts {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		for _, v := range []int64{d.CashedFen, d.Sells, d.Exits, d.WithdrawnFen} {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, ',')
		b = strconv.AppendBool(b, d.Panic)
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// WriteMembers writes members.csv: one row per member, in join order.
func (r *Run) WriteMembers(w io.Writer) error {
	head := "id,joined_day,role,level,behaviour,recruits,orders,spent_fen,goods_at_cost_fen"
	for _, k := range RewardKindNames {
		head += ",reward_" + k + "_fen"
	}
	head += ",rewards_fen,points_cashed_fen,points_held_upt,points_value_fen,withdrawal_fees_fen,exits,cash_net_fen,net_fen\n"
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	var b []byte
	for i := range r.Members {
		m := &r.Members[i]
		b = append(b[:0], m.ID...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(m.JoinDay), 10)
		b = append(b, ',')
		b = append(b, m.Role...)
		b = append(b, ',')
		b = append(b, m.Level...)
		if m.Holder {
			b = append(b, ",hold"...)
		} else {
			b = append(b, ",take_profit"...)
		}
		for _, v := range []int64{m.Recruits, m.Orders, m.SpentFen, m.GoodsFen} {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		for _, v := range m.Rewards {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		for _, v := range []int64{m.RewardsFen(), m.CashedFen, m.PointsUpt, m.PointsValueFen, m.FeesFen, m.Exits, m.CashNetFen, m.NetFen} {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
