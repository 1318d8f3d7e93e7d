# Sourced by smoke.sh and run.sh: starts a throw-away lobbyq-server for a load run and
# stops it again. Needs BUILD (the build directory) and WORK (a private temporary
# directory) set; DURABILITY (default full) is passed as --durability. Sets SERVER_PID,
# SERVER_ADDR and CREDENTIALS.

# Limits raised for a load run: the defaults (a kiosk may issue 20 tickets a minute, a
# branch hold 2000 live tickets) protect a real lobby from a runaway kiosk, and a load run
# is one on purpose. kiosk_tickets_per_minute 10000 is the most the server accepts.
write_load_config() {
  cat >"$WORK/lobbyq-load.yaml" <<'YAML'
# No branches: lobbyq-load creates its own through AdminService.
limits:
  live_tickets_per_branch: 100000
  kiosk_burst: 10000
  kiosk_tickets_per_minute: 10000
YAML
}

# start_server [extra server flags...]: a fresh data directory and admin each time, so
# every run starts from empty queues.
start_server() {
  local server="$BUILD/server/lobbyq-server"
  [[ -x $server ]] || { echo "no $server: build the lobbyq-server target" >&2; return 1; }
  write_load_config
  rm -rf "$WORK/data" "$WORK/port"
  local password
  password="load-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  # --add-admin reads the password twice from standard input, then exits.
  printf '%s\n%s\n' "$password" "$password" |
    timeout 60 "$server" --config "$WORK/lobbyq-load.yaml" --data "$WORK/data" \
      --add-admin loadadmin >"$WORK/add-admin.log" 2>&1 ||
    { cat "$WORK/add-admin.log" >&2; return 1; }
  CREDENTIALS="$WORK/credentials"
  printf 'admin_user=loadadmin\nadmin_password=%s\n' "$password" >"$CREDENTIALS"
  chmod 600 "$CREDENTIALS"
  "$server" --config "$WORK/lobbyq-load.yaml" --data "$WORK/data" --listen 127.0.0.1:0 \
    --port-file "$WORK/port" --durability "${DURABILITY:-full}" --log-level warn "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  local i
  for i in $(seq 1 100); do
    if [[ -s $WORK/port ]]; then
      SERVER_ADDR="127.0.0.1:$(cat "$WORK/port")"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "lobbyq-server did not start:" >&2
  cat "$WORK/server.log" >&2
  return 1
}

# Stops the server started last (SIGTERM, then SIGKILL after 10 s).
stop_server() {
  [[ -n ${SERVER_PID:-} ]] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
