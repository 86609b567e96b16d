# Sourced by the media benchmarks and the `make run` demo: a free TCP port on 127.0.0.1, and a
# private nginx with the RTMP module (application "live") whose pid is left in NGINX_PID.
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

start_nginx() {  # DIR PORT
  local dir=$1 port=$2
  mkdir -p "$dir/logs"
  cat > "$dir/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:$port; application live { live on; record off; } } }
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" &
  NGINX_PID=$!
}
