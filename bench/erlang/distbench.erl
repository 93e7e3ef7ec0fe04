%% The kit's benchmarks, measured the same way on Erlang/OTP's own distribution,
%% so `npm run bench -- --erlang` can print both columns from one run.
%% Started by bench/erlang.ts as a controller node:
%%   ERL_AFLAGS="-setcookie C" erl -sname ctl -noshell -pa DIR -run distbench main RUNS TRIPS MESSAGES CLUSTER_RUNS
%% It starts peer nodes as OS processes (erl), prints one line per figure,
%%   figure <key> <value>
%% and stops every node it started.
-module(distbench).
-export([main/1, pong/0, sink/2, echo_server/0, idle/0, spawn_idle/1, rss/0]).

main([Runs, Trips, Messages, ClusterRuns]) ->
    R = list_to_integer(Runs), T = list_to_integer(Trips),
    M = list_to_integer(Messages), C = list_to_integer(ClusterRuns),
    ets:new(distbench_started, [named_table, public, set]),
    try run(R, T, M, C) of
        _ -> ok
    catch Class:Reason:Stack ->
        io:format(standard_error, "distbench failed: ~p:~p~n~p~n", [Class, Reason, Stack])
    end,
    [rpc:call(N, erlang, halt, []) || N <- nodes()],
    %% Whatever did not halt (a node that was still starting) goes now: nothing outlives the bench.
    [os:cmd("kill -9 " ++ P ++ " 2>/dev/null") || P <- get_started()],
    init:stop().

get_started() -> [P || {P} <- ets:tab2list(distbench_started)].

figure(Key, Value) -> io:format("figure ~s ~p~n", [Key, Value]).

median(Xs) -> lists:nth(length(Xs) div 2 + 1, lists:sort(Xs)).
percentile(Xs, P) ->
    S = lists:sort(Xs), N = length(S),
    lists:nth(min(N, trunc(P / 100 * N) + 1), S).
now_us() -> erlang:monotonic_time(microsecond).
host() -> lists:last(string:split(atom_to_list(node()), "@")).

%% Starts a peer node as an OS process (as the kit starts `distsys node`) and
%% returns {Name, OsPid} once it answers a ping. It inherits the cookie with the
%% environment (ERL_AFLAGS), as the kit's nodes do (DISTSYS_COOKIE): never on a
%% command line, which every user of the machine can read.
start_node(Name) ->
    Dir = filename:dirname(code:which(?MODULE)),
    Cmd = "erl -sname " ++ Name ++ " -kernel prevent_overlapping_partitions false"
        " -noshell -noinput -pa " ++ Dir ++ " </dev/null >/dev/null 2>&1 & echo $!",
    OsPid = string:trim(os:cmd(Cmd)),
    ets:insert(distbench_started, {OsPid}),
    Node = list_to_atom(Name ++ "@" ++ host()),
    wait_pong(Node, 2000),
    {Node, OsPid}.

wait_pong(Node, 0) -> error({no_pong, Node});
wait_pong(Node, N) ->
    case net_adm:ping(Node) of
        pong -> ok;
        pang -> timer:sleep(2), wait_pong(Node, N - 1)
    end.

stop_node(Node) ->
    erlang:monitor_node(Node, true),
    rpc:cast(Node, erlang, halt, []),
    receive {nodedown, Node} -> ok after 5000 -> ok end.

run(Runs, Trips, Messages, ClusterRuns) ->
    Seq = counters:new(1, []),
    Fresh = fun(Prefix) -> counters:add(Seq, 1, 1), Prefix ++ integer_to_list(counters:get(Seq, 1)) ++ "x" ++ os:getpid() end,

    %% 1. Start a node, then a first connect to it (from a node that has not talked to it).
    Starts = [begin
                  T0 = now_us(), {N, _} = start_node(Fresh("start")), T1 = now_us(),
                  stop_node(N), (T1 - T0) / 1000
              end || _ <- lists:seq(1, Runs)],
    figure("nodeStartMs", median(Starts)),

    {Far, _} = start_node(Fresh("far")),
    {Other, _} = start_node(Fresh("other")),
    Connects = [begin
                    {N, _} = start_node(Fresh("conn")),
                    %% `Other` has never talked to N: its first connect is what we time.
                    Ms = rpc:call(Other, timer, tc, [net_kernel, connect_node, [N]]),
                    {Us, true} = Ms,
                    stop_node(N), Us / 1000
                end || _ <- lists:seq(1, Runs)],
    figure("firstConnectMs", median(Connects)),

    %% 2. Round trip of a small message between registered processes.
    true = rpc:call(Far, erlang, register, [pong, rpc:call(Far, erlang, spawn, [?MODULE, pong, []])]),
    RoundTrips = [begin
                      Xs = [begin
                                T0 = now_us(),
                                {pong, Far} ! {self(), I},
                                receive I -> ok end,
                                now_us() - T0
                            end || I <- lists:seq(1, Trips)],
                      {percentile(Xs, 50), percentile(Xs, 99)}
                  end || _ <- lists:seq(1, Runs)],
    figure("roundTripP50Us", median([P || {P, _} <- RoundTrips])),
    figure("roundTripP99Us", median([P || {_, P} <- RoundTrips])),

    %% 3. One-way throughput, in order.
    Rates = [begin
                 Sink = list_to_atom("sink" ++ integer_to_list(K)),
                 true = rpc:call(Far, erlang, register, [Sink, rpc:call(Far, erlang, spawn, [?MODULE, sink, [Messages, self()]])]),
                 T0 = now_us(),
                 send_n({Sink, Far}, 0, Messages),
                 receive {done, Messages, InOrder} -> true = InOrder end,
                 Messages / ((now_us() - T0) / 1000000)
             end || K <- lists:seq(1, min(Runs, 3))],
    figure("throughputPerS", median(Rates)),

    %% 4. GenServer.call across nodes, and multi_call to 3 nodes.
    {Third, _} = start_node(Fresh("third")),
    [rpc:call(N, ?MODULE, echo_server, []) || N <- [Far, Other, Third]],
    Calls = [median_call(fun() -> gen_server:call({echo, Far}, I) end, Trips) || I <- lists:seq(1, Runs)],
    figure("callP50Us", median(Calls)),
    Multi = [median_call(fun() -> {_, []} = gen_server:multi_call([Far, Other, Third], echo, I) end, Trips div 4) || I <- lists:seq(1, Runs)],
    figure("multiCallP50Us", median(Multi)),

    %% 5. Remote exit to DOWN: kill a process on another node, time its DOWN here.
    Downs = [begin
                 P = rpc:call(Far, erlang, spawn, [?MODULE, idle, []]),
                 Ref = erlang:monitor(process, P),
                 T0 = now_us(),
                 exit(P, kill),
                 receive {'DOWN', Ref, process, P, _} -> (now_us() - T0) end
             end || _ <- lists:seq(1, Trips div 10)],
    figure("remoteExitToDownUs", median(Downs)),

    %% 6. Memory: an idle node, and one holding 100,000 idle processes (OS resident set).
    {Idle, _} = start_node(Fresh("idle")),
    timer:sleep(500),
    figure("idleNodeRssMiB", rpc:call(Idle, ?MODULE, rss, [])),
    ok = rpc:call(Idle, ?MODULE, spawn_idle, [100000]),
    figure("rssWith100kProcessesMiB", rpc:call(Idle, ?MODULE, rss, [])),
    stop_node(Idle),

    %% 7. Three nodes started to a full mesh, and kill -9 to nodedown.
    Clusters = [begin
                    T0 = now_us(),
                    Parent = self(),
                    Names = [Fresh("mesh") || _ <- [1, 2, 3]],
                    [spawn(fun() -> Parent ! {started, start_node(Nm)} end) || Nm <- Names],
                    Started = [receive {started, S} -> S end || _ <- Names],
                    Nodes = [N || {N, _} <- Started],
                    [true = rpc:call(A, net_kernel, connect_node, [B]) || A <- Nodes, B <- Nodes, A < B],
                    Ms = (now_us() - T0) / 1000,
                    [{Victim, VictimPid} | Rest] = Started,
                    erlang:monitor_node(Victim, true),
                    T1 = now_us(),
                    os:cmd("kill -9 " ++ VictimPid),
                    receive {nodedown, Victim} -> ok end,
                    Down = (now_us() - T1) / 1000,
                    [stop_node(N) || {N, _} <- Rest],
                    {Ms, Down}
                end || _ <- lists:seq(1, ClusterRuns)],
    figure("meshOf3Ms", median([M || {M, _} <- Clusters])),
    figure("killToNodedownMs", median([D || {_, D} <- Clusters])),
    [stop_node(N) || N <- [Far, Other, Third]],
    ok.

median_call(Fun, N) ->
    Xs = [begin T0 = now_us(), Fun(), now_us() - T0 end || _ <- lists:seq(1, N)],
    percentile(Xs, 50).

send_n(_, N, N) -> ok;
send_n(Dest, I, N) -> Dest ! I, send_n(Dest, I + 1, N).

pong() -> receive {From, I} -> From ! I, pong() end.

sink(Expected, ReportTo) -> sink(Expected, ReportTo, 0, true).
sink(Expected, ReportTo, Expected, InOrder) -> ReportTo ! {done, Expected, InOrder};
sink(Expected, ReportTo, Count, InOrder) ->
    receive N -> sink(Expected, ReportTo, Count + 1, InOrder andalso N =:= Count) end.

echo_server() ->
    {ok, _} = gen_server:start({local, echo}, echo_server, [], []),
    ok.

idle() -> receive stop -> ok end.

spawn_idle(N) -> [spawn(?MODULE, idle, []) || _ <- lists:seq(1, N)], ok.

rss() ->
    Kb = list_to_integer(string:trim(os:cmd("ps -o rss= -p " ++ os:getpid()))),
    Kb / 1024.
