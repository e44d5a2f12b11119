module.exports = {
  displayName: 'connection-tester-service',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
