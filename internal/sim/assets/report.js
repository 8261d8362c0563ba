// greenmall sim report: draws DATA (one run, or several side by side) with
// ECharts. Numbers here are for display; summary.json holds the exact ones.
(function () {
  'use strict';
  var errors = [];
  function fail(msg) {
    errors.push(String(msg));
    var el = document.getElementById('errors');
    el.hidden = false;
    el.textContent = errors.join('\n');
    document.body.setAttribute('data-errors', String(errors.length));
  }
  window.addEventListener('error', function (e) { fail(e.message || e); });

  var KIND = {
    chain: '链动 chain', team: '级差 level differential', distribution: '直推/间推 distribution',
    region: '区域 regional', service_point: '服务点 service point', dividend: '分红 dividends',
    points_cashed: '积分卖出 points cashed'
  };
  function yuan(fen) { return '¥' + (fen / 100).toLocaleString('en-US', {maximumFractionDigits: 0}); }
  function pct(bp) { return (bp / 100).toFixed(1) + ' %'; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var main = document.getElementById('report');
  var runs = DATA.runs;

  // Headline numbers, one column per plan.
  function headline() {
    main.appendChild(el('h2', {}, 'Headline 概要'));
    var t = el('table', {'class': 'headline'});
    var tr = el('tr');
    tr.appendChild(el('th', {}, ''));
    runs.forEach(function (r) { tr.appendChild(el('th', {}, r.plan)); });
    t.appendChild(tr);
    var rows = [
      ['members 会员', function (s) { return s.members.toLocaleString(); }],
      ['agents 代理 / bosses 老板', function (s) { return s.agents.toLocaleString() + ' / ' + s.bosses.toLocaleString(); }],
      ['orders 订单', function (s) { return s.orders.toLocaleString(); }],
      ['GMV 成交额', function (s) { return yuan(s.gmv_fen); }],
      ['final price 积分价 (¥/pt)', function (s) { return s.price_yuan_per_point; }],
      ['pool 积分池', function (s) { return yuan(s.pool_fen); }],
      ['rewards paid 奖励', function (s) { return yuan(s.rewards_fen); }],
      ['points cashed 积分卖出', function (s) { return yuan(s.points_cashed_fen); }],
      ['members who lost money 亏损会员', function (s) { return pct(s.outcome.lost_money_bp); }, true],
      ['median net result 净收益中位数', function (s) { return yuan(s.outcome.net_percentiles_fen.p50 || 0); }],
      ['rewards to the top 1 % / 10 %', function (s) { return pct(s.concentration.top1_bp) + ' / ' + pct(s.concentration.top10_bp); }],
      ['rewards paid by later members 后加入者支付的奖励', function (s) { return pct(s.new_money.rewards_from_later_bp); }, true],
      ['points money from later members 积分兑现来自后加入者', function (s) { return pct(s.new_money.points_payouts_from_later_bp); }, true],
      ['forced exits 出局 / sells 卖出', function (s) { return s.exits.toLocaleString() + ' / ' + s.sells.toLocaleString(); }],
      ['withdrawn 提现', function (s) { return yuan(s.withdrawn_fen); }],
      ['ledger checks 账务校验', function (s) {
        var c = s.checks;
        return (c.unbalanced_transactions === 0 && c.money_sums_to_zero && c.points_sum_to_zero &&
          c.supply_equals_holdings && c.no_negative_member_balance) ? 'pass' : 'FAIL';
      }]
    ];
    rows.forEach(function (row) {
      var tr = el('tr');
      tr.appendChild(el('td', {}, row[0]));
      runs.forEach(function (r) {
        var v = row[1](r.summary);
        tr.appendChild(el('td', row[2] && parseFloat(v) >= 50 ? {'class': 'bad'} : {}, v));
      });
      t.appendChild(tr);
    });
    main.appendChild(t);
  }

  var charts = [];
  function section(id, title, how, option) {
    main.appendChild(el('h2', {}, title));
    main.appendChild(el('p', {'class': 'how'}, how));
    var row = el('div', {'class': 'row'});
    main.appendChild(row);
    runs.forEach(function (r, i) {
      var div = el('div', {'class': 'chart', id: 'chart-' + id + '-' + i, 'data-chart': id});
      row.appendChild(div);
      try {
        var c = echarts.init(div, null, {renderer: 'canvas'});
        var opt = option(r);
        opt.animation = false;
        opt.title = Object.assign({text: r.plan, left: 'center', textStyle: {fontSize: 13}}, opt.title || {});
        opt.tooltip = opt.tooltip || {trigger: 'axis'};
        c.setOption(opt);
        charts.push(c);
      } catch (e) {
        fail(id + ': ' + (e && e.stack || e));
      }
    });
  }
  function axisDays(r) { return {type: 'category', data: r.day, name: 'day'}; }
  function line(name, data, extra) {
    return Object.assign({name: name, type: 'line', data: data, showSymbol: false}, extra || {});
  }

  headline();

  section('growth', 'Members 会员增长', 'Members, agents (bought the gift package) and bosses (third chain child placed) at the end of each day.', function (r) {
    return {legend: {top: 22}, grid: {top: 60, left: 60, right: 20}, xAxis: axisDays(r), yAxis: {type: 'value'},
      series: [line('members', r.members), line('agents', r.agents), line('bosses', r.bosses)]};
  });

  section('price', 'Price, pool and supply 积分价格、资金池与积分总量', 'The points price (¥ per point, left) is pool ÷ supply; the pool (¥) and the points supply on the right axes.', function (r) {
    return {legend: {top: 22}, grid: {top: 60, left: 60, right: 120}, xAxis: axisDays(r),
      yAxis: [{type: 'value', name: '¥/pt'}, {type: 'value', name: 'pool ¥', position: 'right'},
        {type: 'value', name: 'points', position: 'right', offset: 60}],
      series: [line('price', r.price), line('pool', r.pool, {yAxisIndex: 1}), line('supply', r.supply, {yAxisIndex: 2})]};
  });

  section('payouts', 'Payouts by kind 各类奖励与兑现', 'What members were paid each day, by kind: chain rewards, level differential, distribution, regional, service point, dividends, and money for points sold (voluntarily or forced out).', function (r) {
    return {legend: {top: 22, type: 'scroll'}, grid: {top: 60, left: 70, right: 20}, xAxis: axisDays(r), yAxis: {type: 'value', name: '¥/day'},
      series: r.payout_kinds.map(function (k) { return {name: KIND[k] || k, type: 'bar', stack: 'p', data: r.payouts[k], large: true}; })};
  });

  section('netdist', 'Distribution of net results 会员净收益分布', 'How many paying members ended in each band of net result. Bars left of zero lost money.', function (r) {
    var h = r.summary.net_histogram;
    return {grid: {top: 40, left: 60, right: 20, bottom: 70}, xAxis: {type: 'category', data: h.map(function (b) { return b.label; }), axisLabel: {rotate: 35}},
      yAxis: {type: 'value', name: 'members'},
      series: [{type: 'bar', name: 'members', data: h.map(function (b, i) { return {value: b.members, itemStyle: {color: b.label.indexOf('¥-') >= 0 || b.label.indexOf('< ') === 0 ? '#c23531' : '#2f9e44'}}; })}]};
  });

  section('cohorts', 'Net result by join cohort 按加入时间的净收益', 'Members grouped by the 30 days in which they joined: median net result (bars, ¥) and the share of them who lost money (line, %). Early joiners gain from later ones.', function (r) {
    var cs = r.summary.cohorts;
    return {legend: {top: 22}, grid: {top: 60, left: 70, right: 50}, xAxis: {type: 'category', data: cs.map(function (c) { return 'd' + c.from_day + '–' + c.to_day; })},
      yAxis: [{type: 'value', name: '¥'}, {type: 'value', name: '%', max: 100, position: 'right'}],
      series: [{type: 'bar', name: 'median net ¥', data: cs.map(function (c) { return c.median_net_fen / 100; })},
        {type: 'line', name: 'lost money %', yAxisIndex: 1, data: cs.map(function (c) { return c.lost_money_bp / 100; })}]};
  });

  section('lost', 'Share of members who lost money 亏损会员占比', 'Of the members who bought anything, those whose net result is below zero.', function (r) {
    var o = r.summary.outcome;
    return {tooltip: {trigger: 'item'}, series: [{type: 'pie', radius: ['35%', '65%'], top: 20,
      label: {formatter: '{b}\n{d} %'},
      data: [{name: 'lost money 亏损', value: o.lost_money, itemStyle: {color: '#c23531'}},
        {name: 'broke even or gained 持平或盈利', value: o.paying_members - o.lost_money, itemStyle: {color: '#2f9e44'}}]}]};
  });

  section('concentration', 'How concentrated rewards are 奖励集中度', 'Lorenz curve of rewards: the share of all rewards (y) earned by the poorest x % of members. The diagonal is equal shares. Top 1 % and top 10 % in the title.', function (r) {
    var c = r.summary.concentration;
    var xs = r.lorenz.map(function (_, i) { return i; });
    return {title: {subtext: 'top 1 %: ' + pct(c.top1_bp) + ' · top 10 %: ' + pct(c.top10_bp) + ' · earners: ' + c.earners.toLocaleString()},
      grid: {top: 60, left: 50, right: 20}, xAxis: {type: 'category', data: xs, name: '% members'}, yAxis: {type: 'value', max: 100, name: '% rewards'},
      series: [line('rewards', r.lorenz, {areaStyle: {}}), line('equal', xs, {lineStyle: {type: 'dashed'}})]};
  });

  section('spending', 'Where each yuan went 每一元消费的去向', 'Members\' spending split by where the plan sent it at settlement. The points pool is what later pays for points sold.', function (r) {
    return {tooltip: {trigger: 'item', formatter: '{b}: ¥{c} ({d} %)'}, series: [{type: 'pie', radius: '60%', top: 20,
      label: {formatter: '{b}\n{d} %'}, data: r.spending}]};
  });

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-charts', String(charts.length));
  if (errors.length === 0) document.body.setAttribute('data-ready', '1');
})();
