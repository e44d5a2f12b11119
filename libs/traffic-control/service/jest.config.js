module.exports = {
  displayName: 'traffic-control-service',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
