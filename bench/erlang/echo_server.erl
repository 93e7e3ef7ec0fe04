%% A gen_server that replies to every call with the request (the kit's bench has the same).
-module(echo_server).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2]).

init([]) -> {ok, nostate}.
handle_call(Request, _From, State) -> {reply, Request, State}.
handle_cast(_Msg, State) -> {noreply, State}.
