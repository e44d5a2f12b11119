export { ConnectionTesterModule } from './connection-tester.module';
export { CONNECTION_TESTER_SERVICE } from './connection-tester.service-name';
export { MonitoringScheduler } from './schedules/monitoring/monitoring-scheduler';
export { SOCKET_FACTORY, type SocketFactory } from './probes/socket-factory';
export { HOST_RESOLVER } from './test-runs/test-runner';
export { OUR_AS2_SIGNER, type OurAs2Signer, type KeyAliasRef } from './test-runs/our-as2-signer.port';
export { RemoteKeystoreSignerModule } from './test-runs/remote-keystore-signer.module';
export { RemoteKeystoreSigner } from './test-runs/remote-keystore-signer';
export { remoteKeystoreConfigFrom, type RemoteKeystoreConfig } from './test-runs/remote-keystore.config';
