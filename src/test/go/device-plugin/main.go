// A tiny device plugin for KMM's real-node test (RealNodeIT): it registers a resource with the kubelet's
// device-plugin socket and offers a fixed number of healthy devices, for as long as it runs. It registers again when
// the kubelet restarts (the kubelet then removes every plugin socket). It stands for a driver's device plugin; the
// test shows that the node's allocatable has the resource only where KMM runs it (where the module is ready).
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

type plugin struct {
	pluginapi.UnimplementedDevicePluginServer
	devices []*pluginapi.Device
	stop    chan struct{}
}

func (p *plugin) GetDevicePluginOptions(context.Context, *pluginapi.Empty) (*pluginapi.DevicePluginOptions, error) {
	return &pluginapi.DevicePluginOptions{}, nil
}

func (p *plugin) ListAndWatch(_ *pluginapi.Empty, s pluginapi.DevicePlugin_ListAndWatchServer) error {
	if err := s.Send(&pluginapi.ListAndWatchResponse{Devices: p.devices}); err != nil {
		return err
	}
	select {
	case <-p.stop:
	case <-s.Context().Done():
	}
	return nil
}

func (p *plugin) Allocate(_ context.Context, r *pluginapi.AllocateRequest) (*pluginapi.AllocateResponse, error) {
	resp := &pluginapi.AllocateResponse{}
	for _, c := range r.ContainerRequests {
		resp.ContainerResponses = append(resp.ContainerResponses, &pluginapi.ContainerAllocateResponse{
			Envs: map[string]string{"KMM_TEST_DEVICES": fmt.Sprint(c.DevicesIds)},
		})
	}
	return resp, nil
}

func (p *plugin) GetPreferredAllocation(context.Context, *pluginapi.PreferredAllocationRequest) (*pluginapi.PreferredAllocationResponse, error) {
	return &pluginapi.PreferredAllocationResponse{}, nil
}

func (p *plugin) PreStartContainer(context.Context, *pluginapi.PreStartContainerRequest) (*pluginapi.PreStartContainerResponse, error) {
	return &pluginapi.PreStartContainerResponse{}, nil
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// serve starts the plugin's gRPC server on its socket and registers it with the kubelet.
func serve(resource, socket string, devices []*pluginapi.Device) (*grpc.Server, *plugin, error) {
	_ = os.Remove(socket)
	l, err := net.Listen("unix", socket)
	if err != nil {
		return nil, nil, err
	}
	p := &plugin{devices: devices, stop: make(chan struct{})}
	s := grpc.NewServer()
	pluginapi.RegisterDevicePluginServer(s, p)
	go func() { _ = s.Serve(l) }()

	conn, err := grpc.NewClient("unix://"+pluginapi.KubeletSocket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		s.Stop()
		return nil, nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = pluginapi.NewRegistrationClient(conn).Register(ctx, &pluginapi.RegisterRequest{
		Version:      pluginapi.Version,
		Endpoint:     filepath.Base(socket),
		ResourceName: resource,
	})
	if err != nil {
		close(p.stop)
		s.Stop()
		return nil, nil, err
	}
	return s, p, nil
}

func main() {
	resource := env("RESOURCE", "example.com/kmm-test-device")
	count, err := strconv.Atoi(env("DEVICES", "2"))
	if err != nil || count < 1 {
		log.Fatalf("DEVICES must be a positive number, not %q", os.Getenv("DEVICES"))
	}
	var devices []*pluginapi.Device
	for i := 0; i < count; i++ {
		devices = append(devices, &pluginapi.Device{ID: fmt.Sprintf("kmm-test-%d", i), Health: pluginapi.Healthy})
	}
	socket := filepath.Join(pluginapi.DevicePluginPath, "kmm-test-device.sock")
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)

	var server *grpc.Server
	var current *plugin
	for {
		if server == nil {
			server, current, err = serve(resource, socket, devices)
			if err != nil {
				log.Printf("registering %s with the kubelet: %v (trying again)", resource, err)
				server = nil
			} else {
				log.Printf("registered %s with %d devices at %s", resource, count, socket)
			}
		} else if _, err := os.Stat(socket); err != nil {
			// the kubelet restarted and removed the plugin sockets: register again
			log.Printf("socket %s is gone: registering again", socket)
			close(current.stop)
			server.Stop()
			server = nil
			continue
		}
		select {
		case <-signals:
			if server != nil {
				close(current.stop)
				server.Stop()
			}
			_ = os.Remove(socket)
			log.Printf("stopped")
			return
		case <-time.After(time.Second):
		}
	}
}
